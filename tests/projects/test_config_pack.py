"""Project 3 (config pack): the reference solution passes its autograded tests, wrong ones do not."""

from __future__ import annotations

from project_proof import Edit, ProjectProof

EDITS = {
    "bool_by_truthiness": Edit(
        "booleans cast with bool(text): 'no' and '0' become True",
        "cp",
        "        if isinstance(raw, str) and raw.strip().lower() in TRUE_WORDS | FALSE_WORDS:\n"
        "            return raw.strip().lower() in TRUE_WORDS\n",
        "        if isinstance(raw, str):\n            return bool(raw)\n",
        ("cp_cast_test", "cp_precedence_test", "cp_files_test"),  # {"use_gpu": "maybe"} is accepted
    ),
    "names_only_redaction": Edit(
        "only secret-looking names are redacted: a token in an innocent field is printed",
        "cp",
        """    if isinstance(value, str) and _URL_PASSWORD.search(value):
        masked = _URL_PASSWORD.sub(lambda m: m.group(1) + MASK + m.group(3), value)
        return masked if not any(p.search(masked) for p in _CREDENTIAL_PATTERNS) else MASK
    if looks_like_credential(value):
        return MASK
""",
        "",
        ("cp_redact_test",),
    ),
    "env_before_file": Edit(
        "the environment is applied before the file, so the file wins over APP_* variables",
        "cp",
        """    if file is not None:
        for key, raw in read_file(file).items():
            if key not in names:
                raise ConfigError(f"{key}: unknown setting in {file}")
            values[key] = cast_value(raw, hints[key], name=key, source=f"file {file}")
    env = os.environ if env is None else env
    for f in fields:
        variable = env_prefix + f.name.upper()
        if variable in env:  # `in`, not truthiness: APP_EPOCHS=0 is a setting
            values[f.name] = cast_value(env[variable], hints[f.name], name=f.name, source=f"${variable}")
""",
        """    env = os.environ if env is None else env
    for f in fields:
        variable = env_prefix + f.name.upper()
        if variable in env:
            values[f.name] = cast_value(env[variable], hints[f.name], name=f.name, source=f"${variable}")
    if file is not None:
        for key, raw in read_file(file).items():
            if key not in names:
                raise ConfigError(f"{key}: unknown setting in {file}")
            values[key] = cast_value(raw, hints[key], name=key, source=f"file {file}")
""",
        ("cp_precedence_test",),
    ),
    "yaml_required": Edit(
        "PyYAML imported unconditionally: without it the module does not even import",
        "cp",
        "try:\n    import yaml\nexcept ImportError:  # YAML support is optional\n    yaml = None\n",
        "import yaml\n",
        ("cp_files_test",),
    ),
}


class TestConfigPack(ProjectProof):
    ASSIGNMENT, NOTEBOOK = "09_project_config_pack", "config_pack"
    ANSWER_CELLS = frozenset({"cp"})
    EDITS = EDITS
    RERUN = "right_lazy_yaml_plain_names"

    def test_the_answer_writes_configpack_py(self) -> None:
        for answers in [self.solution(), *self.right().values()]:
            assert answers["cp"].startswith("%%writefile configpack.py\n")
