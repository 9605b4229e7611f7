import hashlib
import json
import sys


def main():
    # Pasted from a script: the functions live inside main(), and the script ends with sys.exit.
    def config_hash(config):
        return hashlib.sha256(json.dumps(config, sort_keys=True).encode()).hexdigest()

    print(config_hash({"lr": 0.001}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
