"""The subcommands, as data: read by the click group and by the quick `--help`."""

# name -> (module, attribute, short help); modules load only when their command runs.
COMMANDS: dict[str, tuple[str, str, str]] = {
    "config": ("workspace_cmds", "config_cmd", "Show the effective settings and their origin."),
    "list": ("workspace_cmds", "list_cmd", "List the packages of the workspace."),
    "check": ("workspace_cmds", "check_cmd", "Check the workspace for problems."),
    "graph": ("graph_cmd", "graph_cmd", "Show who depends on whom."),
    "changed": ("affected_cmds", "changed_cmd", "Packages a change touches directly."),
    "affected": ("affected_cmds", "affected_cmd", "Packages a change touches, with dependents."),
    "why": ("affected_cmds", "why_cmd", "Explain why a package is affected."),
    "run": ("run_cmds", "run_cmd", "Run a task in each selected package."),
    "test": ("run_cmds", "test_cmd", "Run the tests of the affected packages."),
    "build": ("run_cmds", "build_cmd", "Build sdists and wheels of the selected packages."),
    "release": ("release_cmds", "release_group", "Plan, apply and publish a release."),
    "completion": ("completion", "completion_cmd", "Print a shell completion script."),
}
