"""Known-wrong answers to exercise 5, written as edits of the solution's answer cell (``config_hash`` ...).

Each entry is one realistic mistake: the student it is graded as, the mistake in one sentence, the
test cells it must lose points on (exactly those) and the ``(old, new)`` edits that turn the
instructor's answer into the wrong one (see :func:`grader_support.mutate`).
"""

from __future__ import annotations

from grader_support import Mutation

CANONICAL = '    canonical = json.dumps(config, sort_keys=True, separators=(",", ":"), allow_nan=False)\n'
PORCELAIN = '        changes = subprocess.run(["git", "status", "--porcelain"], **run).stdout\n'
CHECK_HASH = """\
    recomputed = config_hash(record["config"])
    if recomputed != record["config_hash"]:
"""

WRONG = (
    Mutation(
        "hash_of_str_dict",
        "the hash is taken of str(config), which keeps the key order, so reordered settings get another hash.",
        loses=("ex5_config_hash", "ex5_read_back"),
        edits=((CANONICAL, "    canonical = str(config)\n"),),
    ),
    Mutation(
        "top_level_keys_sorted_only",
        "only the top-level keys are sorted (sorted(config.items())), so nested key order still changes the hash.",
        loses=("ex5_config_hash", "ex5_read_back"),
        edits=((CANONICAL, "    canonical = json.dumps(sorted(config.items()))\n"),),
    ),
    Mutation(
        "dirty_from_git_diff",
        "the dirty flag comes from git diff, which shows neither new untracked files nor staged changes.",
        loses=("ex5_git_state",),
        edits=((PORCELAIN, '        changes = subprocess.run(["git", "diff"], **run).stdout\n'),),
    ),
    Mutation(
        "exception_without_git",
        "only CalledProcessError is caught, so on a machine without git the FileNotFoundError escapes.",
        loses=("ex5_git_unknown",),
        edits=(
            (
                "    except (OSError, subprocess.CalledProcessError):  # no git, or not a repository\n",
                "    except subprocess.CalledProcessError:  # not a repository\n",
            ),
        ),
    ),
    Mutation(
        "dirty_unknown_string",
        'dirty is "unknown" instead of None when git cannot tell, as the lesson printed it.',
        loses=("ex5_git_unknown",),
        edits=(
            (
                '        return {"commit": "unknown", "dirty": None}\n',
                '        return {"commit": "unknown", "dirty": "unknown"}\n',
            ),
        ),
    ),
    Mutation(
        "git_errors_unchecked",
        "git's exit status is not checked (no check=True), so outside a repository the commit is an empty string.",
        loses=("ex5_git_unknown",),
        edits=(
            (
                '    run = {"cwd": folder, "capture_output": True, "text": True, "check": True}\n',
                '    run = {"cwd": folder, "capture_output": True, "text": True}\n',
            ),
        ),
    ),
    Mutation(
        "hash_of_the_wrong_thing",
        "the stored hash is of the config and the seed together, so it is not config_hash(config) and reading back fails.",
        loses=("ex5_write_record", "ex5_read_back"),
        edits=(
            (
                '        "config_hash": config_hash(config),\n',
                '        "config_hash": config_hash({"config": config, "seed": seed}),\n',
            ),
        ),
    ),
    Mutation(
        "seed_missing",
        "the record has no seed, so the run cannot be repeated with the same random numbers.",
        loses=("ex5_write_record",),
        edits=(('        "seed": seed,\n', ""),),
    ),
    Mutation(
        "missing_package_raises",
        "a package that is not installed makes write_run_record raise PackageNotFoundError.",
        loses=("ex5_write_record",),
        edits=(
            (
                """\
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = "not installed"
""",
                "        versions[name] = importlib.metadata.version(name)\n",
            ),
        ),
    ),
    Mutation(
        "no_verification_on_read",
        "read_run_record never compares the stored hash with the config, so an edited record is trusted.",
        loses=("ex5_read_back",),
        edits=((CHECK_HASH, '    recomputed = config_hash(record["config"])\n    if False:\n'),),
    ),
    Mutation(
        "rerun_config_unchecked",
        "rerun_config reads run.json itself, without read_run_record's checks, so it re-runs an edited record.",
        loses=("ex5_read_back",),
        edits=(
            (
                '    return read_run_record(run_dir)["config"]\n',
                '    return json.loads((Path(run_dir) / "run.json").read_text(encoding="utf-8"))["config"]\n',
            ),
        ),
    ),
    Mutation(
        "malformed_json_escapes",
        "a run.json that is not valid JSON raises json.JSONDecodeError, a ValueError but not a RecordError.",
        loses=("ex5_read_back",),
        edits=(
            (
                """\
    try:
        record = json.loads(text)
    except ValueError as exc:
        raise RecordError(f"{path}: malformed, not valid JSON ({exc})") from None
""",
                "    record = json.loads(text)\n",
            ),
        ),
    ),
)
