"""POST /storycore/route (the router's dry run) from the router's server tests: the router node's test defaults as
the body, plus the dry-run fields."""
from router_prompts import ROUTER_DEFAULTS


def dry_run(server, **body) -> tuple[int, dict]:
    """(HTTP status, JSON answer) of a dry run of ROUTER_DEFAULTS updated with `body`."""
    return server.post_json("/storycore/route", dict(ROUTER_DEFAULTS, **body), timeout=60)
