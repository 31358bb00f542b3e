"""A real STOMP client (Debian's python3-stomp) on a Junction topic.

Usage: topic.py PORT TOPIC COUNT
Two connections subscribe to /topic/TOPIC (each waits for its SUBSCRIBE's receipt), a third
publishes COUNT messages with receipts, and each subscriber waits for them all (at most 30 s).
Prints one result line:
  confirmed=N received=N,N in_order=True,True errors=0
"""
import sys
import threading

import stomp

port, topic, count = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
destination = "/topic/" + topic


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
        with self.lock:
            self.bodies.append(frame.body)
            self.lock.notify_all()

    def on_error(self, frame):
        with self.lock:
            self.errors.append(frame.headers.get("message", "") + ": " + frame.body)
            self.lock.notify_all()

    def wait_for(self, done, seconds):
        with self.lock:
            self.lock.wait_for(lambda: done() or self.errors, timeout=seconds)


def connect(listener):
    conn = stomp.Connection12([("127.0.0.1", port)])
    conn.set_listener("test", listener)
    conn.connect(wait=True)
    return conn


subscribers = []
for n in range(2):
    listener = Listener()
    conn = connect(listener)
    conn.subscribe(destination=destination, id="s%d" % n, ack="auto", headers={"receipt": "sub"})
    listener.wait_for(lambda: "sub" in listener.receipts, 30)
    subscribers.append((conn, listener))

publisher = Listener()
pub = connect(publisher)
for i in range(count):
    pub.send(destination=destination, body="news %d" % i, content_type="text/plain",
             headers={"receipt": "r%d" % i})
publisher.wait_for(lambda: len(publisher.receipts) >= count, 30)
for conn, listener in subscribers:
    listener.wait_for(lambda: len(listener.bodies) >= count, 30)

expected = ["news %d" % i for i in range(count)]
errors = publisher.errors + [e for _, listener in subscribers for e in listener.errors]
print("confirmed=%d received=%s in_order=%s errors=%d %s" % (
    len(publisher.receipts),
    ",".join(str(len(listener.bodies)) for _, listener in subscribers),
    ",".join(str(listener.bodies == expected) for _, listener in subscribers),
    len(errors), "|".join(errors)))
pub.disconnect()
for conn, _ in subscribers:
    conn.disconnect()
