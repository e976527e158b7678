#!/usr/bin/python3
"""`sluice serve` end to end, driven by real AWS clients from Debian's packages.

boto3 (python3-boto3) and the AWS CLI (awscli, /usr/bin/aws) are pointed at a daemon on a free
loopback port with an endpoint URL. Covers: state machines and executions through the API,
`.waitForTaskToken` answered by SendTaskSuccess, StartSyncExecution, pagination, AWS-shaped
errors for bad requests (wrong target, malformed JSON, oversized body, unknown ARN), sensors
over HTTP, an activity worker (GetActivityTask → SendTaskSuccess), TestState from the AWS CLI,
a daemon killed mid-run and restarted (the execution resumes and finishes), SIGTERM
(exit 0), and a load test: 1,000 StartExecution calls from 8 concurrent clients, none lost.

Usage: serve_e2e.py SLUICE_BINARY [unittest args]
"""
import concurrent.futures
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
import urllib.error
import urllib.request

import boto3
from botocore.config import Config

SLUICE = None  # set from argv

PASS_MACHINE = json.dumps({
    "StartAt": "Greet",
    "States": {
        "Greet": {"Type": "Pass", "Parameters": {"greeting.$": "States.Format('hello {}', $.who)"},
                  "Next": "Done"},
        "Done": {"Type": "Succeed"},
    },
})

TOKEN_MACHINE = json.dumps({
    "StartAt": "Ask",
    "States": {
        "Ask": {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
                "Parameters": {"QueueUrl": "local", "MessageBody": {"token.$": "$$.Task.Token"}},
                "End": True},
    },
})

WAIT_MACHINE = json.dumps({
    "StartAt": "Nap",
    "States": {
        "Nap": {"Type": "Wait", "Seconds": 2, "Next": "Done"},
        "Done": {"Type": "Pass", "Result": "rested", "End": True},
    },
})

ROLE = "arn:aws:iam::123456789012:role/sluice"

PIPELINE = """
pipeline: {id: orders, owner: test}
schedule:
  trigger: {key: upstream, check: equals, field: status, value: SUCCEEDED}
  evaluation: {window: 10m, interval: 5m}
validation:
  trigger: ALL
  rules:
    - {key: upstream, check: equals, field: status, value: SUCCEEDED}
job:
  type: command
  config: {argv: ["true"]}
  maxDriftReruns: 1
"""


def read(path):
    """The file's stripped text, or "" when it does not exist (yet)."""
    try:
        with open(path) as f:
            return f.read().strip()
    except FileNotFoundError:
        return ""


class Daemon:
    """One `sluice serve` process on a free port."""

    def __init__(self, db, extra=()):
        self.dir = os.path.dirname(db)
        self.ready = os.path.join(self.dir, "ready-%d" % time.monotonic_ns())
        self.log = open(os.path.join(self.dir, "serve.log"), "ab")
        self.proc = subprocess.Popen(
            [SLUICE, "serve", "--db", db, "--listen", "127.0.0.1:0", "--ready-file", self.ready,
             *extra], stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 30
        while not read(self.ready):
            if self.proc.poll() is not None:
                raise RuntimeError("sluice serve exited with %d" % self.proc.returncode)
            if time.monotonic() > deadline:
                raise RuntimeError("sluice serve did not start")
            time.sleep(0.02)
        self.address = read(self.ready)
        self.url = "http://" + self.address

    def client(self):
        return boto3.client(
            "stepfunctions", endpoint_url=self.url, region_name="us-east-1",
            aws_access_key_id="local", aws_secret_access_key="local",
            config=Config(inject_host_prefix=False, retries={"max_attempts": 1}))

    def stop(self, sig=signal.SIGTERM):
        self.proc.send_signal(sig)
        code = self.proc.wait(timeout=30)
        self.log.close()
        return code


def wait_for(client, arn, timeout=60):
    deadline = time.monotonic() + timeout
    while True:
        d = client.describe_execution(executionArn=arn)
        if d["status"] != "RUNNING":
            return d
        if time.monotonic() > deadline:
            raise AssertionError("execution %s still RUNNING" % arn)
        time.sleep(0.02)


def raw_post(url, body, target="AWSStepFunctions.ListStateMachines", headers=None):
    """POST bytes to the API; returns (status, parsed JSON body)."""
    h = {"Content-Type": "application/x-amz-json-1.0"}
    if target is not None:
        h["X-Amz-Target"] = target
    h.update(headers or {})
    req = urllib.request.Request(url + "/", data=body, headers=h, method="POST")
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, json.loads(r.read() or b"null")
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"null")


class ServeTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="sluice-serve-")
        self.db = os.path.join(self.tmp, "sluice.db")
        self.daemon = Daemon(self.db)
        self.sfn = self.daemon.client()

    def tearDown(self):
        if self.daemon.proc.poll() is None:
            self.daemon.stop(signal.SIGKILL)
        shutil.rmtree(self.tmp, ignore_errors=True)

    def test_boto3_state_machines_executions_and_history(self):
        arn = self.sfn.create_state_machine(name="hello", definition=PASS_MACHINE,
                                            roleArn=ROLE)["stateMachineArn"]
        described = self.sfn.describe_state_machine(stateMachineArn=arn)
        self.assertEqual(described["name"], "hello")
        self.assertEqual(json.loads(described["definition"]), json.loads(PASS_MACHINE))
        self.assertIn("hello", [m["name"] for m in self.sfn.list_state_machines()["stateMachines"]])

        ex = self.sfn.start_execution(stateMachineArn=arn, name="first",
                                      input=json.dumps({"who": "world"}))
        d = wait_for(self.sfn, ex["executionArn"])
        self.assertEqual(d["status"], "SUCCEEDED")
        self.assertEqual(json.loads(d["output"]), {"greeting": "hello world"})
        self.assertLessEqual(d["startDate"], d["stopDate"])  # parsed as datetimes by boto3

        history = self.sfn.get_execution_history(executionArn=ex["executionArn"])["events"]
        self.assertEqual([e["type"] for e in history],
                         ["ExecutionStarted", "PassStateEntered", "PassStateExited",
                          "SucceedStateEntered", "SucceedStateExited", "ExecutionSucceeded"])
        # The paginator follows nextToken.
        pages = self.sfn.get_paginator("get_execution_history").paginate(
            executionArn=ex["executionArn"], PaginationConfig={"PageSize": 2})
        self.assertEqual(sum(len(p["events"]) for p in pages), 6)

        executions = self.sfn.list_executions(stateMachineArn=arn, statusFilter="SUCCEEDED")
        self.assertEqual([e["name"] for e in executions["executions"]], ["first"])

        with self.assertRaises(self.sfn.exceptions.ExecutionAlreadyExists):
            self.sfn.start_execution(stateMachineArn=arn, name="first", input='{"who": "else"}')
        with self.assertRaises(self.sfn.exceptions.ExecutionDoesNotExist):
            self.sfn.describe_execution(executionArn=ex["executionArn"] + "-nope")
        with self.assertRaises(self.sfn.exceptions.StateMachineDoesNotExist):
            self.sfn.start_execution(stateMachineArn=arn + "-nope")
        with self.assertRaises(self.sfn.exceptions.InvalidDefinition):
            self.sfn.create_state_machine(name="broken", definition='{"StartAt": "X"}',
                                          roleArn=ROLE)
        with self.assertRaises(self.sfn.exceptions.InvalidExecutionInput):
            self.sfn.start_execution(stateMachineArn=arn, input="{not json")

        # Debian's boto3 (1.26) predates ValidateStateMachineDefinition: sent by hand.
        status, validated = raw_post(self.daemon.url, json.dumps({"definition": '{"StartAt": "X"}'})
                                     .encode(), target="AWSStepFunctions."
                                     "ValidateStateMachineDefinition")
        self.assertEqual((status, validated["result"]), (200, "FAIL"))

    def test_boto3_task_tokens_sync_executions_and_stop(self):
        arn = self.sfn.create_state_machine(name="asker", definition=TOKEN_MACHINE,
                                            roleArn=ROLE)["stateMachineArn"]
        ex = self.sfn.start_execution(stateMachineArn=arn)["executionArn"]
        token = None
        for _ in range(500):
            for e in self.sfn.get_execution_history(executionArn=ex)["events"]:
                if e["type"] == "TaskScheduled":
                    token = json.loads(e["taskScheduledEventDetails"]["parameters"])[
                        "MessageBody"]["token"]
            if token:
                break
            time.sleep(0.02)
        self.assertIsNotNone(token)
        self.sfn.send_task_heartbeat(taskToken=token)
        self.sfn.send_task_success(taskToken=token, output='{"approved": true}')
        d = wait_for(self.sfn, ex)
        self.assertEqual(d["status"], "SUCCEEDED")
        self.assertEqual(json.loads(d["output"]), {"approved": True})
        with self.assertRaises(self.sfn.exceptions.TaskDoesNotExist):
            self.sfn.send_task_success(taskToken=token, output="{}")

        express = self.sfn.create_state_machine(name="quick", definition=PASS_MACHINE,
                                                roleArn=ROLE, type="EXPRESS")["stateMachineArn"]
        sync = self.sfn.start_sync_execution(stateMachineArn=express, input='{"who": "sync"}')
        self.assertEqual(sync["status"], "SUCCEEDED")
        self.assertEqual(json.loads(sync["output"]), {"greeting": "hello sync"})

        waiter = self.sfn.create_state_machine(name="waiter", definition=WAIT_MACHINE,
                                               roleArn=ROLE)["stateMachineArn"]
        w = self.sfn.start_execution(stateMachineArn=waiter)["executionArn"]
        self.sfn.stop_execution(executionArn=w, error="Halt", cause="test")
        d = wait_for(self.sfn, w)
        self.assertEqual(d["status"], "ABORTED")
        self.assertEqual(d["error"], "Halt")

    def test_aws_cli(self):
        env = dict(os.environ, AWS_ACCESS_KEY_ID="local", AWS_SECRET_ACCESS_KEY="local",
                   AWS_DEFAULT_REGION="us-east-1", AWS_PAGER="", AWS_CONFIG_FILE="/dev/null",
                   AWS_SHARED_CREDENTIALS_FILE="/dev/null")

        def aws(*args):
            out = subprocess.run(["/usr/bin/aws", "stepfunctions", "--endpoint-url",
                                  self.daemon.url, "--output", "json", *args],
                                 env=env, capture_output=True, text=True, timeout=120)
            self.assertEqual(out.returncode, 0, out.stderr)
            return json.loads(out.stdout) if out.stdout.strip() else {}

        arn = aws("create-state-machine", "--name", "cli", "--definition", PASS_MACHINE,
                  "--role-arn", ROLE)["stateMachineArn"]
        ex = aws("start-execution", "--state-machine-arn", arn, "--input",
                 '{"who": "cli"}')["executionArn"]
        for _ in range(500):
            d = aws("describe-execution", "--execution-arn", ex)
            if d["status"] != "RUNNING":
                break
            time.sleep(0.05)
        self.assertEqual(d["status"], "SUCCEEDED")
        self.assertEqual(json.loads(d["output"]), {"greeting": "hello cli"})
        events = aws("get-execution-history", "--execution-arn", ex)["events"]
        self.assertEqual(events[-1]["type"], "ExecutionSucceeded")
        missing = subprocess.run(["/usr/bin/aws", "stepfunctions", "--endpoint-url",
                                  self.daemon.url, "describe-execution", "--execution-arn",
                                  ex + "-nope"], env=env, capture_output=True, text=True)
        self.assertNotEqual(missing.returncode, 0)
        self.assertIn("ExecutionDoesNotExist", missing.stderr)

    def test_activity_worker_and_test_state(self):
        activity = self.sfn.create_activity(name="resize")["activityArn"]
        machine = json.dumps({"StartAt": "Work", "States": {
            "Work": {"Type": "Task", "Resource": activity, "ResultPath": "$.result",
                     "End": True}}})
        arn = self.sfn.create_state_machine(name="worked", definition=machine,
                                            roleArn=ROLE)["stateMachineArn"]
        # A worker thread long-polls (up to 60 s, so its socket waits longer) and answers.
        worker = boto3.client(
            "stepfunctions", endpoint_url=self.daemon.url, region_name="us-east-1",
            aws_access_key_id="local", aws_secret_access_key="local",
            config=Config(inject_host_prefix=False, retries={"max_attempts": 1},
                          read_timeout=70))
        seen = {}

        def work():
            while "token" not in seen:
                task = worker.get_activity_task(activityArn=activity, workerName="py-worker")
                if task.get("taskToken"):
                    seen["token"] = task["taskToken"]
                    seen["input"] = json.loads(task["input"])
                    worker.send_task_success(taskToken=task["taskToken"],
                                             output=json.dumps({"resized": True}))

        thread = threading.Thread(target=work, daemon=True)
        thread.start()
        ex = self.sfn.start_execution(stateMachineArn=arn, input=json.dumps({"image": "a.png"}))
        thread.join(timeout=75)
        self.assertFalse(thread.is_alive())
        d = wait_for(self.sfn, ex["executionArn"])
        self.assertEqual(d["status"], "SUCCEEDED")
        self.assertEqual(json.loads(d["output"]), {"image": "a.png", "result": {"resized": True}})
        self.assertEqual(seen["input"], {"image": "a.png"})
        history = self.sfn.get_execution_history(executionArn=ex["executionArn"])["events"]
        started = [e for e in history if e["type"] == "ActivityStarted"]
        self.assertEqual(started[0]["activityStartedEventDetails"]["workerName"], "py-worker")
        self.assertIn("resize", [a["name"] for a in self.sfn.list_activities()["activities"]])

        # TestState from the AWS CLI: one Choice state, with its data flow.
        env = dict(os.environ, AWS_ACCESS_KEY_ID="local", AWS_SECRET_ACCESS_KEY="local",
                   AWS_DEFAULT_REGION="us-east-1", AWS_PAGER="", AWS_CONFIG_FILE="/dev/null",
                   AWS_SHARED_CREDENTIALS_FILE="/dev/null")
        choice = json.dumps({"Type": "Choice", "InputPath": "$.order",
                             "Choices": [{"Variable": "$.total", "NumericGreaterThan": 100,
                                          "Next": "Review"}],
                             "Default": "Ship"})
        out = subprocess.run(["/usr/bin/aws", "stepfunctions", "--endpoint-url", self.daemon.url,
                              "--output", "json", "test-state", "--definition", choice,
                              "--role-arn", ROLE, "--input", '{"order": {"total": 250}}',
                              "--inspection-level", "DEBUG"],
                             env=env, capture_output=True, text=True, timeout=120)
        if out.returncode != 0 and "Invalid choice" in out.stderr:
            # Debian's AWS CLI and boto3 predate TestState: the same JSON 1.0 request by hand.
            status, tested = raw_post(
                self.daemon.url,
                json.dumps({"definition": choice, "roleArn": ROLE,
                            "input": '{"order": {"total": 250}}',
                            "inspectionLevel": "DEBUG"}).encode(),
                target="AWSStepFunctions.TestState")
            self.assertEqual(status, 200, tested)
        else:
            self.assertEqual(out.returncode, 0, out.stderr)
            tested = json.loads(out.stdout)
        self.assertEqual(tested["status"], "SUCCEEDED")
        self.assertEqual(tested["nextState"], "Review")
        self.assertEqual(json.loads(tested["output"]), {"total": 250})
        self.assertEqual(json.loads(tested["inspectionData"]["afterInputPath"]), {"total": 250})

    def test_bad_requests_get_aws_shaped_errors(self):
        url = self.daemon.url
        status, body = raw_post(url, b"{}", target="AWSStepFunctions.Explode")
        self.assertEqual((status, body["__type"]), (400, "UnknownOperationException"))
        status, body = raw_post(url, b"{}", target=None)
        self.assertEqual((status, body["__type"]), (400, "UnknownOperationException"))
        status, body = raw_post(url, b"{not json")
        self.assertEqual((status, body["__type"]), (400, "SerializationException"))
        status, body = raw_post(url, b'{"executionArn": "arn:aws:states:local:1:execution:x:y"}',
                                target="AWSStepFunctions.DescribeExecution")
        self.assertEqual((status, body["__type"]), (400, "ExecutionDoesNotExist"))
        status, body = raw_post(url, b"[" + b"1," * (1 << 20) + b"1]")
        self.assertEqual(status, 413)
        # Still serving after all of that.
        status, body = raw_post(url, b"{}")
        self.assertEqual(status, 200)
        with urllib.request.urlopen(url + "/health", timeout=10) as r:
            self.assertEqual(json.loads(r.read())["status"], "ok")
        with urllib.request.urlopen(url + "/metrics", timeout=10) as r:
            metrics = r.read().decode()
        self.assertIn('sluice_api_requests_total{action="ListStateMachines",outcome="ok"} 1',
                      metrics)
        self.assertIn('sluice_api_requests_total{action="DescribeExecution",outcome="error"} 1',
                      metrics)
        self.assertIn("sluice_executions_running 0", metrics)
        self.assertIn("# TYPE sluice_commit_seconds summary", metrics)

    def test_sensors_over_http(self):
        req = urllib.request.Request(self.daemon.url + "/sensors/orders/upstream",
                                     data=b'{"status": "ready", "rows": 42}', method="PUT")
        with urllib.request.urlopen(req, timeout=10) as r:
            self.assertEqual(json.loads(r.read())["data"], {"status": "ready", "rows": 42})
        with urllib.request.urlopen(self.daemon.url + "/sensors/orders", timeout=10) as r:
            sensors = json.loads(r.read())["sensors"]
        self.assertEqual([s["key"] for s in sensors], ["upstream"])
        bad = urllib.request.Request(self.daemon.url + "/sensors/orders/upstream", data=b"[1]",
                                     method="PUT")
        with self.assertRaises(urllib.error.HTTPError) as e:
            urllib.request.urlopen(bad, timeout=10)
        self.assertEqual(e.exception.code, 400)
        # The CLI reads what the daemon wrote, from the same database.
        out = subprocess.run([SLUICE, "sensor", "get", "orders", "upstream", "--db", self.db,
                              "--json"], capture_output=True, text=True, timeout=30)
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertEqual(json.loads(out.stdout)["data"]["rows"], 42)

    def test_sensor_write_starts_the_pipeline_and_late_data_reruns_it(self):
        # A daemon on the virtual clock, so the lifecycle's waits pass at once.
        self.daemon.stop(signal.SIGKILL)
        config = os.path.join(self.tmp, "orders.yaml")
        with open(config, "w") as f:
            f.write(PIPELINE)
        applied = subprocess.run([SLUICE, "pipeline", "apply", config, "--db", self.db],
                                 capture_output=True, text=True, timeout=30)
        self.assertEqual(applied.returncode, 0, applied.stderr)
        self.daemon = Daemon(self.db, ["--clock", "virtual"])

        def put(data):
            req = urllib.request.Request(self.daemon.url + "/sensors/orders/upstream",
                                         data=json.dumps(data).encode(), method="PUT")
            with urllib.request.urlopen(req, timeout=30) as r:
                return json.loads(r.read())["trigger"]

        def events():
            out = subprocess.run([SLUICE, "events", "--pipeline", "orders", "--json", "--db",
                                  self.db], capture_output=True, text=True, timeout=30)
            self.assertEqual(out.returncode, 0, out.stderr)
            return [e["type"] for e in json.loads(out.stdout)["events"]]

        def wait_events(kind, count):
            deadline = time.monotonic() + 60
            while events().count(kind) < count:
                self.assertLess(time.monotonic(), deadline, events())
                time.sleep(0.1)

        self.assertEqual(put({"status": "RUNNING", "date": "2026-11-30"})["outcome"], "ignored")
        first = put({"status": "SUCCEEDED", "date": "2026-11-30"})
        self.assertEqual(first["outcome"], "started", first)
        wait_events("JOB_COMPLETED", 1)
        # Late data after the success: one rerun (maxDriftReruns: 1), then recorded only.
        again = put({"status": "SUCCEEDED", "date": "2026-11-30"})
        self.assertEqual(again["outcome"], "rerun", again)
        wait_events("JOB_COMPLETED", 2)
        spent = put({"status": "SUCCEEDED", "date": "2026-11-30"})
        self.assertEqual(spent["outcome"], "late-data", spent)
        self.assertEqual(events().count("LATE_DATA"), 2)
        # Another date is a run of its own.
        other = put({"status": "SUCCEEDED", "date": "20261201"})
        self.assertEqual(other["outcome"], "started", other)
        self.assertIn("2026-12-01", other["executionArn"])

    def test_killed_daemon_resumes_its_executions(self):
        arn = self.sfn.create_state_machine(name="waiter", definition=WAIT_MACHINE,
                                            roleArn=ROLE)["stateMachineArn"]
        ex = self.sfn.start_execution(stateMachineArn=arn)["executionArn"]
        self.assertEqual(self.daemon.stop(signal.SIGKILL), -signal.SIGKILL)
        self.daemon = Daemon(self.db)
        self.sfn = self.daemon.client()
        d = wait_for(self.sfn, ex)
        self.assertEqual(d["status"], "SUCCEEDED")
        self.assertEqual(json.loads(d["output"]), "rested")
        self.assertEqual(self.daemon.stop(signal.SIGTERM), 0)

    def test_sigterm_leaves_running_executions_to_the_next_start(self):
        arn = self.sfn.create_state_machine(name="waiter", definition=WAIT_MACHINE,
                                            roleArn=ROLE)["stateMachineArn"]
        ex = self.sfn.start_execution(stateMachineArn=arn)["executionArn"]
        self.assertEqual(self.daemon.stop(signal.SIGTERM), 0)
        self.daemon = Daemon(self.db)
        self.sfn = self.daemon.client()
        self.assertEqual(wait_for(self.sfn, ex)["status"], "SUCCEEDED")

    def test_load_1000_starts_from_8_clients(self):
        arn = self.sfn.create_state_machine(name="load", definition=PASS_MACHINE,
                                            roleArn=ROLE)["stateMachineArn"]
        local = threading.local()

        def start(i):
            if not hasattr(local, "client"):
                local.client = self.daemon.client()
            return local.client.start_execution(stateMachineArn=arn, name="run-%04d" % i,
                                                input=json.dumps({"who": str(i)}))["executionArn"]

        with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
            arns = list(pool.map(start, range(1000)))
        self.assertEqual(len(set(arns)), 1000)
        seen = {}
        pages = self.sfn.get_paginator("list_executions").paginate(stateMachineArn=arn)
        for page in pages:
            for e in page["executions"]:
                seen[e["executionArn"]] = e["status"]
        self.assertEqual(set(seen), set(arns))
        deadline = time.monotonic() + 60
        while any(s == "RUNNING" for s in seen.values()) and time.monotonic() < deadline:
            time.sleep(0.1)
            for page in self.sfn.get_paginator("list_executions").paginate(stateMachineArn=arn):
                for e in page["executions"]:
                    seen[e["executionArn"]] = e["status"]
        self.assertEqual(set(seen.values()), {"SUCCEEDED"})


if __name__ == "__main__":
    SLUICE = os.path.abspath(sys.argv.pop(1))
    unittest.main(verbosity=2)
