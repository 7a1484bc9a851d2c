"""privwatch's configuration: the YAML files in this folder and the pydantic models that validate them
(config.models)."""
