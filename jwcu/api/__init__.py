"""The REST API's plumbing, shared by every app's api.py: bearer-token clients and their
throttle (auth), one JSON shape for every error (errors), strict query parameters (parameters),
ETags and If-Match (conditional), keyset pagination (pagination), lists read as rows (rows),
the views every resource builds on (views), the schema's adjustments (schema), and the JSON
renderer and parser. The URLs of /api/v1/ are composed in jwcu/urls.py.

Viewsets hold no business rules: reads start from the apps' selectors and FilterSets, writes
call the apps' services inside ``jwcu.audit.acting(channel="api")``. Nothing is imported here:
DRF's settings name the renderer and parser, which must not import the views."""
