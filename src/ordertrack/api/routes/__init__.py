"""The JSON API's routers, one module per feature: parse, call the feature's service, render."""
