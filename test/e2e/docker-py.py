# docker-py against berthd: run a container without a network, exec in it, read stats and logs, remove it.
# Prints one JSON object of what it saw; the node test (docker-py.test.ts) asserts on it.
import json
import os
import time

import docker

client = docker.DockerClient(base_url=os.environ["DOCKER_HOST"], version="1.41")
seen = {"ping": client.ping()}
ctr = client.containers.run(
    "busybox", ["sh", "-c", "echo started; echo to-stderr >&2; exec sleep 300"],
    detach=True, network_mode="none", labels={"suite": "docker-py"},
)
ctr.reload()
seen["status"] = ctr.status
seen["network_mode"] = ctr.attrs["HostConfig"]["NetworkMode"]
seen["labels"] = ctr.labels

res = ctr.exec_run(["sh", "-c", "echo hello from exec; exit 3"])
seen["exec_exit"] = res.exit_code
seen["exec_output"] = res.output.decode()
res = ctr.exec_run("id -u", user="nobody", environment={"X": "1"})
seen["exec_user"] = res.output.decode().strip()
both = ctr.exec_run(["sh", "-c", "echo out; echo err >&2"], demux=True)
seen["exec_demux"] = [both.output[0].decode(), both.output[1].decode()]

stats = ctr.stats(stream=False)
seen["stats_keys"] = sorted(k for k in ("cpu_stats", "precpu_stats", "memory_stats", "pids_stats", "blkio_stats") if k in stats)
seen["memory_usage"] = stats["memory_stats"].get("usage", 0)
seen["pids"] = stats["pids_stats"].get("current", 0)

deadline = time.time() + 20
while b"to-stderr" not in ctr.logs() and time.time() < deadline:
    time.sleep(0.1)
seen["logs"] = ctr.logs(stdout=True, stderr=True).decode()
seen["stdout_only"] = ctr.logs(stdout=True, stderr=False).decode()

ctr.remove(force=True)
try:
    client.containers.get(ctr.id)
    seen["removed"] = False
except docker.errors.NotFound:
    seen["removed"] = True
print(json.dumps(seen))
