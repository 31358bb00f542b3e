"""A real STOMP client (Debian's python3-stomp) against Junction's STOMP listener.

Usage: roundtrip.py PORT QUEUE COUNT HEARTBEAT_MS
Connects with heart-beats every HEARTBEAT_MS both ways, publishes COUNT messages with receipts
(the publisher confirms), then subscribes with client-individual acks and a prefetch window, acks
every message, stays idle until it has had 5 of the node's heart-beats (at most 30 s), and prints
one result line:
  confirmed=N received=N in_order=True duplicates=0 errors=0 beating=True timeouts=0 connected=True
"""
import sys
import threading

import stomp

port, queue, count, beat = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
destination = "/queue/" + queue


class Listener(stomp.ConnectionListener):
    def __init__(self):
        self.lock = threading.Condition()
        self.receipts = set()
        self.bodies = []
        self.errors = []
        self.heartbeats = 0
        self.timeouts = 0

    def on_heartbeat(self):
        with self.lock:
            self.heartbeats += 1
            self.lock.notify_all()

    def on_heartbeat_timeout(self):
        with self.lock:
            self.timeouts += 1
            self.lock.notify_all()

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
conn = stomp.Connection12([("127.0.0.1", port)], heartbeats=(beat, beat))
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
# Idle, both sides beating: the node's end-of-lines arrive and it does not close the connection.
with listener.lock:
    since = listener.heartbeats
wait_for(listener, lambda: listener.heartbeats >= since + 5 or listener.timeouts, 30)
heartbeats, connected = listener.heartbeats - since, conn.is_connected()
conn.disconnect(receipt="bye")
expected = ["message %d" % i for i in range(count)]
print("confirmed=%d received=%d in_order=%s duplicates=%d errors=%d beating=%s timeouts=%d "
      "connected=%s %s" % (
          confirmed, len(listener.bodies), listener.bodies == expected,
          len(listener.bodies) - len(set(listener.bodies)), len(listener.errors),
          heartbeats >= 5, listener.timeouts, connected, "|".join(listener.errors)))
