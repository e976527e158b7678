#!/usr/bin/python3
"""`sluice serve --pipelines DIR --alerts FILE` end to end.

Two local HTTP servers stand in for a Slack incoming webhook and a generic webhook. A sensor
write starts a pipeline on the daemon's virtual clock; its events reach the sinks (the webhook's
first answer is a 500, so the delivery is retried), filtered per sink, threaded per run, with
the url taken from a SLUICE_ environment variable. Also: /metrics counts the deliveries, SIGHUP
applies a changed pipeline directory, and a bad alerts file or pipeline directory stops the
daemon from starting (exit 2, the problem located).

Usage: alerts_e2e.py SLUICE_BINARY [unittest args]
"""
import http.server
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import serve_e2e  # noqa: E402  (the Daemon helper)

PIPELINE = serve_e2e.PIPELINE  # orders: a sensor trigger, a command job that succeeds

ALERTS = """
sinks:
  - name: chat
    type: slack
    url: ${SLUICE_TEST_SLACK}
    events: [JOB_COMPLETED]
  - name: hook
    type: webhook
    url: ${SLUICE_TEST_HOOK}/events
    headers: {Authorization: "Bearer ${SLUICE_TEST_TOKEN}"}
"""


class Sink:
    """An HTTP server on a free loopback port that records every POST; answers 500 to the first
    `failures` requests, 200 after."""

    def __init__(self, failures=0):
        self.received = []
        self.lock = threading.Lock()
        sink = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with sink.lock:
                    fail = failures > 0 and sink.attempts < failures
                    sink.attempts += 1
                    if not fail:
                        sink.received.append((self.path, dict(self.headers), json.loads(body)))
                self.send_response(500 if fail else 200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.attempts = 0
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = "http://127.0.0.1:%d" % self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def bodies(self):
        with self.lock:
            return [body for _, _, body in self.received]

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def wait_until(predicate, what, timeout=60):
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting for " + what)
        time.sleep(0.05)


class AlertsTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="sluice-alerts-")
        self.db = os.path.join(self.tmp, "sluice.db")
        self.pipelines = os.path.join(self.tmp, "pipelines")
        os.mkdir(self.pipelines)
        self.write(os.path.join(self.pipelines, "orders.yaml"), PIPELINE)
        self.alerts = self.write(os.path.join(self.tmp, "alerts.yaml"), ALERTS)
        self.slack = Sink()
        self.hook = Sink(failures=1)
        os.environ["SLUICE_TEST_SLACK"] = self.slack.url + "/services/T/B/X"
        os.environ["SLUICE_TEST_HOOK"] = self.hook.url
        os.environ["SLUICE_TEST_TOKEN"] = "s3cret"
        self.daemon = None

    def tearDown(self):
        if self.daemon and self.daemon.proc.poll() is None:
            self.daemon.stop(signal.SIGKILL)
        self.slack.close()
        self.hook.close()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def write(self, path, text):
        with open(path, "w") as f:
            f.write(text)
        return path

    def start(self):
        self.daemon = serve_e2e.Daemon(self.db, ["--clock", "virtual", "--pipelines",
                                                 self.pipelines, "--alerts", self.alerts])

    def put_sensor(self, data):
        req = urllib.request.Request(self.daemon.url + "/sensors/orders/upstream",
                                     data=json.dumps(data).encode(), method="PUT")
        with urllib.request.urlopen(req, timeout=30) as r:
            return json.loads(r.read())["trigger"]

    def metrics(self):
        with urllib.request.urlopen(self.daemon.url + "/metrics", timeout=30) as r:
            return r.read().decode()

    def sluice(self, *args):
        out = subprocess.run([serve_e2e.SLUICE, *args, "--db", self.db], capture_output=True,
                             text=True, timeout=30)
        self.assertEqual(out.returncode, 0, out.stderr)
        return out.stdout

    def test_a_run_alerts_its_sinks_filtered_threaded_and_retried(self):
        self.start()
        started = self.put_sensor({"status": "SUCCEEDED", "date": "2026-11-30"})
        self.assertEqual(started["outcome"], "started", started)
        wait_until(lambda: "JOB_COMPLETED" in [b["type"] for b in self.hook.bodies()],
                   "JOB_COMPLETED at the webhook")

        # The webhook sink takes every type, in the order recorded, all in the run's thread.
        types = [b["type"] for b in self.hook.bodies()]
        self.assertEqual(types[:3], ["VALIDATION_PASSED", "JOB_TRIGGERED", "JOB_COMPLETED"])
        for body in self.hook.bodies():
            self.assertEqual(body["pipeline"], "orders")
            self.assertEqual(body["date"], "2026-11-30")
            self.assertEqual(body["thread"], "orders/%s/2026-11-30" % body["schedule"])
            self.assertIsInstance(body["detail"], dict)
        path, headers, _ = self.hook.received[0]
        self.assertEqual(path, "/events")
        self.assertEqual(headers["Authorization"], "Bearer s3cret")
        self.assertEqual(self.hook.attempts, len(self.hook.received) + 1)  # one 500, retried

        # The Slack sink wants JOB_COMPLETED only: one message, in the run's thread prefix.
        wait_until(lambda: self.slack.bodies(), "the Slack message")
        [message] = self.slack.bodies()
        self.assertTrue(message["text"].startswith("[orders 2026-11-30] "), message["text"])
        self.assertIn("*JOB_COMPLETED*", message["text"])
        self.assertEqual(message["blocks"][0]["text"]["text"], message["text"])

        metrics = self.metrics()
        self.assertIn('sluice_alerts_total{sink="chat",outcome="delivered"} 1\n', metrics)
        self.assertIn('sluice_alerts_total{sink="hook",outcome="retried"} 1\n', metrics)
        self.assertIn('sluice_alerts_total{sink="hook",outcome="failed"} 0\n', metrics)
        self.assertEqual(self.daemon.stop(), 0)

    def test_a_sensor_put_from_the_cli_triggers_the_running_daemon(self):
        self.start()
        self.sluice("sensor", "put", "orders", "upstream",
                    '{"status": "SUCCEEDED", "date": "2026-11-30"}')
        wait_until(lambda: "JOB_COMPLETED" in self.sluice("events", "--pipeline", "orders"),
                   "JOB_COMPLETED from a sensor written by another process")
        self.assertEqual(self.daemon.stop(), 0)

    def test_sighup_applies_the_changed_pipeline_directory(self):
        self.start()
        self.assertIn("Version:  1\n", self.sluice("pipeline", "show", "orders"))
        self.write(os.path.join(self.pipelines, "orders.yaml"),
                   PIPELINE.replace("owner: test", "owner: data-team"))
        self.daemon.proc.send_signal(signal.SIGHUP)
        wait_until(lambda: "data-team" in self.sluice("pipeline", "show", "orders"),
                   "version 2 of orders")
        self.assertIn("Version:  2\n", self.sluice("pipeline", "show", "orders"))
        # An invalid directory on SIGHUP is logged and changes nothing; the daemon keeps serving.
        self.write(os.path.join(self.pipelines, "orders.yaml"), "pipeline: {id: orders}\nbogus: 1\n")
        self.daemon.proc.send_signal(signal.SIGHUP)
        time.sleep(0.5)
        self.assertIn("data-team", self.sluice("pipeline", "show", "orders"))
        self.assertIn("sluice_http_requests_total", self.metrics())
        self.assertEqual(self.daemon.stop(), 0)

    def test_a_bad_alerts_file_or_pipeline_directory_refuses_to_start(self):
        def serve(*extra):
            return subprocess.run([serve_e2e.SLUICE, "serve", "--db", self.db, "--listen",
                                   "127.0.0.1:0", *extra], capture_output=True, text=True,
                                  timeout=30)

        bad_alerts = self.write(os.path.join(self.tmp, "bad.yaml"),
                                "sinks:\n  - name: x\n    type: pager\n    url: http://h/\n")
        out = serve("--alerts", bad_alerts)
        self.assertEqual(out.returncode, 2)
        self.assertIn(bad_alerts + ":3:11: /sinks/0/type: unknown sink type 'pager'", out.stderr)

        out = serve("--alerts", os.path.join(self.tmp, "missing.yaml"))
        self.assertEqual(out.returncode, 2)
        self.assertIn("missing.yaml", out.stderr)

        self.write(os.path.join(self.pipelines, "broken.yaml"), "pipeline: {id: broken}\nbogus: 1\n")
        out = serve("--pipelines", self.pipelines)
        self.assertEqual(out.returncode, 2)
        self.assertIn("broken.yaml:2:1: /bogus: unknown key 'bogus'", out.stderr)
        self.assertFalse(os.path.exists(self.db) and "orders" in self.sluice("pipeline", "list"))


if __name__ == "__main__":
    serve_e2e.SLUICE = os.path.abspath(sys.argv.pop(1))
    unittest.main(verbosity=2)
