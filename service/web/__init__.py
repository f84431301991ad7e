"""HTTP layer: pages (server-rendered Jinja) and the JSON API, both thin over service/ops."""
