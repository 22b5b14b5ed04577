"""The command-line skin: parse options, call the core, render, return."""
