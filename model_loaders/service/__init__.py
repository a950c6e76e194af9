"""What the pack's server routes answer (nodes/server_routes.py is the aiohttp adapter), as plain functions over
the process-wide registry, history and config the router node uses:

- registry_view: the workflows loader nodes have registered in this process, their capabilities, sizes, the
  capabilities each can run now (a recipe exists) and the capability matrix
- stats_view: per workflow and capability, from the history store (routing.history_stats)
- health_view: registry validation, history store and config status in one report
- dry_run: the router node's decision for a request body, without loading or running anything
- bodies: validation of request bodies and query strings against the router node's own input specs
- public: what leaves the server: file names only, never directories

Importing this package imports neither torch nor comfy.
"""
