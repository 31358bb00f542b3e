"""A real STOMP client (Debian's python3-stomp) against Junction's STOMP listener.

Usage: roundtrip.py PORT QUEUE COUNT
Publishes COUNT messages with receipts (the publisher confirms), then subscribes with
client-individual acks and a prefetch window, acks every message, and prints one result line:
  confirmed=N received=N in_order=True duplicates=0 errors=0
"""
import sys
import threading

import stomp

port, queue, count = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
destination = "/queue/" + queue


class Listener(stomp.ConnectionListener):
    def __init__(self):
        self.lock = threading.Condition()
        self.receipts = set()
        self.bodies = []
        self.errors = []

    def on_receipt(self, frame):
        with self.lock:
            self.receipts.add(frame.headers["receipt-id"])
            self.lock.notify_all()

    def on_message(self, frame):
        conn.ack(frame.headers["ack"])
        with self.lock:
            self.bodies.append(frame.body)
            self.lock.notify_all()

    def on_error(self, frame):
        with self.lock:
            self.errors.append(frame.headers.get("message", "") + ": " + frame.body)
            self.lock.notify_all()


def wait_for(listener, done, seconds):
    with listener.lock:
        listener.lock.wait_for(lambda: done() or listener.errors, timeout=seconds)


listener = Listener()
conn = stomp.Connection12([("127.0.0.1", port)], heartbeats=(0, 0))
conn.set_listener("test", listener)
conn.connect(wait=True)
for i in range(count):
    conn.send(destination=destination, body="message %d" % i, content_type="text/plain",
              headers={"receipt": "r%d" % i, "x-index": str(i)})
wait_for(listener, lambda: len(listener.receipts) >= count, 30)
conn.subscribe(destination=destination, id="1", ack="client-individual",
               headers={"prefetch-count": "10"})
wait_for(listener, lambda: len(listener.bodies) >= count, 30)
confirmed = len([r for r in listener.receipts if r.startswith("r")])
conn.disconnect(receipt="bye")
expected = ["message %d" % i for i in range(count)]
print("confirmed=%d received=%d in_order=%s duplicates=%d errors=%d %s" % (
    confirmed, len(listener.bodies), listener.bodies == expected,
    len(listener.bodies) - len(set(listener.bodies)), len(listener.errors),
    "|".join(listener.errors)))
