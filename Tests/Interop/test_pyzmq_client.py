#!/usr/bin/env python3
"""A third-party client on the Volta bus: pyzmq and protobuf code generated from Volta's .proto
files, no Volta code. It subscribes through the forwarder, decodes envelopes, and speaks the
broker protocol (docs/bus-protocol.md) to a real `probe` worker.

    test_pyzmq_client.py BIN_DIR
Prints 'N passed, N failed' and exits non-zero on any failure.
"""
import os, random, signal, socket, subprocess, sys, tempfile, time, importlib

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, ".build/debug")
results = []


def check(name, ok, detail=""):
    results.append(ok)
    print(("ok   " if ok else "FAIL ") + name + ("" if ok else f": {detail}"), flush=True)


def free_base_port():
    for _ in range(50):
        base = random.randint(20000, 32000)  # below the ephemeral range
        try:
            for p in range(base, base + 3):
                with socket.socket() as s:
                    s.bind(("127.0.0.1", p))
            return base
        except OSError:
            continue
    raise RuntimeError("no free ports")


def main():
    import zmq
    gen = tempfile.mkdtemp(prefix="volta-pb-")
    proto_dir = os.path.join(ROOT, "Shared/Messages/proto")
    subprocess.run(["protoc", f"-I{proto_dir}", f"--python_out={gen}"] +
                   [os.path.join(proto_dir, f) for f in sorted(os.listdir(proto_dir)) if f.endswith(".proto")], check=True)
    sys.path.insert(0, gen)
    envelope_pb2 = importlib.import_module("envelope_pb2")
    system_pb2 = importlib.import_module("system_pb2")
    probe_pb2 = importlib.import_module("probe_pb2")

    base = free_base_port()
    env = dict(os.environ, VOLTA_BUS=f"tcp://127.0.0.1:{base}")
    procs = [subprocess.Popen([os.path.join(BIN, "bus")], env=env, stderr=subprocess.DEVNULL),
             subprocess.Popen([os.path.join(BIN, "probe"), "serve", "--instance", "py-probe"], env=env, stderr=subprocess.DEVNULL)]
    ctx = zmq.Context()
    try:
        sub = ctx.socket(zmq.SUB)
        sub.connect(f"tcp://127.0.0.1:{base + 1}")
        sub.setsockopt(zmq.SUBSCRIBE, b"sys.heartbeat.probe.")
        sub.setsockopt(zmq.RCVTIMEO, 5000)
        topic, raw = sub.recv_multipart()
        envelope = envelope_pb2.Envelope.FromString(raw)
        heartbeat = system_pb2.Heartbeat.FromString(envelope.payload)
        check("heartbeat through the forwarder decodes", envelope.type == "volta.v1.Heartbeat"
              and heartbeat.source.instance == "py-probe" and topic == b"sys.heartbeat.probe.py-probe", f"{topic} {envelope.type}")
        check("envelope is sequenced and stamped", envelope.sequence >= 1 and envelope.send_time_ns > 0 and envelope.source.epoch > 0)

        dealer = ctx.socket(zmq.DEALER)
        dealer.setsockopt(zmq.ROUTING_ID, b"python-client")
        dealer.setsockopt(zmq.RCVTIMEO, 5000)
        dealer.connect(f"tcp://127.0.0.1:{base + 2}")

        def request(service, request_id, message, type_name):
            env_out = envelope_pb2.Envelope(type=type_name, idempotency_key=request_id, payload=message.SerializeToString())
            env_out.source.service, env_out.source.instance = "python", "python-client"
            dealer.send_multipart([b"", b"VCC1", service.encode(), request_id.encode(), env_out.SerializeToString()])
            frames = dealer.recv_multipart()
            assert frames[:2] == [b"", b"VCC1"] and frames[3] == request_id.encode(), frames[:4]
            return envelope_pb2.Envelope.FromString(frames[4])

        reply = request("probe", "py-1", probe_pb2.ProbeIncrement(client="python", n=1), "volta.v1.ProbeIncrement")
        count = probe_pb2.ProbeCount.FromString(reply.payload)
        check("request through the broker gets the typed reply", reply.type == "volta.v1.ProbeCount"
              and count.worker == "py-probe" and count.request_id == "py-1", str(reply))
        again = probe_pb2.ProbeCount.FromString(request("probe", "py-1", probe_pb2.ProbeIncrement(client="python", n=1),
                                                        "volta.v1.ProbeIncrement").payload)
        check("a repeated request id is answered from the reply cache", again.value == count.value, f"{again.value} != {count.value}")
        fresh = probe_pb2.ProbeCount.FromString(request("probe", "py-2", probe_pb2.ProbeIncrement(client="python", n=2),
                                                        "volta.v1.ProbeIncrement").payload)
        check("a new request id runs again", fresh.value == count.value + 1, f"{fresh.value}")

        time.sleep(3.2)  # past the broker's start-up grace
        started = time.monotonic()
        error = request("nobody", "py-3", probe_pb2.ProbeIncrement(), "volta.v1.ProbeIncrement")
        err = envelope_pb2.ErrorReply.FromString(error.payload)
        check("an unknown service is refused at once", error.type == "volta.v1.ErrorReply"
              and err.code == envelope_pb2.ErrorReply.NO_SUCH_SERVICE and time.monotonic() - started < 1.0, str(err))

        bad = request("probe", "py-4", probe_pb2.ProbeTick(n=1), "volta.v1.ProbeTick")
        check("a request of the wrong type gets BAD_REQUEST", envelope_pb2.ErrorReply.FromString(bad.payload).code
              == envelope_pb2.ErrorReply.BAD_REQUEST)
    finally:
        for p in procs:
            p.send_signal(signal.SIGTERM)
        for p in procs:
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
        check("services exit cleanly on SIGTERM", all(p.returncode == 0 for p in procs), str([p.returncode for p in procs]))
        ctx.destroy(linger=0)


if __name__ == "__main__":
    try:
        main()
    except Exception as exc:  # a crash is a failure, reported like the others
        check("interop run", False, repr(exc))
    passed, failed = results.count(True), results.count(False)
    print(f"{passed} passed, {failed} failed")
    sys.exit(1 if failed or not passed else 0)
