"""POST /storycore/route (the router's dry run) from the router's server tests: the router node's test defaults as
the body, plus the dry-run fields."""
import json
import urllib.error
import urllib.request

from router_prompts import ROUTER_DEFAULTS


def dry_run(server, **body) -> tuple[int, dict]:
    """(HTTP status, JSON answer) of a dry run of ROUTER_DEFAULTS updated with `body`."""
    data = json.dumps(dict(ROUTER_DEFAULTS, **body)).encode()
    request = urllib.request.Request(server.base_url + "/storycore/route", data=data,
                                     headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())
