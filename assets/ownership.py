"""Who answers for the assets: shown on every asset in the UI."""

OWNERS = ["team:icb-data"]
