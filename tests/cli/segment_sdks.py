"""Sends identify and track calls to `tailor serve` through an official Segment-protocol client.

usage: segment_sdks.py HOST WRITE_KEY segment|rudderstack USER
Prints {"errors": [...]} once every call is flushed (sync mode: each call is one request).
"""
import json
import sys

host, write_key, sdk, user = sys.argv[1:5]
if sdk == "segment":
    from segment.analytics.client import Client
else:
    from rudderstack.analytics.client import Client

errors = []
client = Client(write_key=write_key, host=host, sync_mode=True, max_retries=1,
                on_error=lambda error, items: errors.append(str(error)))
client.identify(user, {"city": "Lisbon"}, message_id=f"{sdk}-identify")
client.track(user, "add_to_cart", {"product_id": "p1", "price": 20.0, "quantity": 1},
             message_id=f"{sdk}-cart")
client.track(user, "add_to_cart", {"product_id": "p1", "price": "free"}, message_id=f"{sdk}-bad")
client.flush()
print(json.dumps({"errors": errors}))
