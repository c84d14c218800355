"""Validates deploy/image2text.yaml against the Kubernetes schemas (kubernetes-validate, strict: no unknown fields)
and checks what the server needs of it: probes on /health, a grace period longer than the request timeout, resources,
a Service and an autoscaler that reach the Deployment. Run by tools/clients/run.sh."""
import os
import re
import sys

import kubernetes_validate
import yaml

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
MANIFEST = os.path.join(ROOT, "deploy", "image2text.yaml")


# Peak resident memory of `image2text serve` with a git-base-shaped checkpoint (float32, memory-mapped) under 16
# concurrent chat completions: docs/server.md, "Scaling out".
MEASURED_PEAK_RSS = 750 << 20


def bytes_of(quantity):
    """A Kubernetes memory quantity (`512Mi`, `2Gi`, `1G`, `1000000`) in bytes."""
    match = re.fullmatch(r"([0-9]+)(Ki|Mi|Gi|Ti|k|M|G|T)?", str(quantity))
    if not match:
        sys.exit(f"FAIL: deploy: {quantity!r} is not a memory quantity")
    scale = {None: 1, "Ki": 1 << 10, "Mi": 1 << 20, "Gi": 1 << 30, "Ti": 1 << 40, "k": 10**3, "M": 10**6, "G": 10**9, "T": 10**12}
    return int(match[1]) * scale[match[2]]


def check(condition, message):
    if not condition:
        sys.exit(f"FAIL: deploy: {message}")
    print(f"ok: deploy: {message}")


def main():
    with open(MANIFEST) as file:
        documents = {document["kind"]: document for document in yaml.safe_load_all(file)}
    version = kubernetes_validate.latest_version()
    for kind, document in documents.items():
        kubernetes_validate.validate(document, version, strict=True)
        check(True, f"{kind} is valid Kubernetes {version}")
    check(set(documents) == {"Deployment", "Service", "HorizontalPodAutoscaler"}, "a Deployment, a Service and an autoscaler")

    deployment, service, autoscaler = documents["Deployment"], documents["Service"], documents["HorizontalPodAutoscaler"]
    pod = deployment["spec"]["template"]
    container = pod["spec"]["containers"][0]
    for probe in ["startupProbe", "readinessProbe", "livenessProbe"]:
        check(container[probe]["httpGet"]["path"] == "/health", f"{probe} on /health (open without a key)")
    arguments = container["args"]
    timeout = float(arguments[arguments.index("--request-timeout") + 1])
    pause = container["lifecycle"]["preStop"]["sleep"]["seconds"]
    grace = pod["spec"]["terminationGracePeriodSeconds"]
    check(grace > timeout + pause, f"terminationGracePeriodSeconds {grace} > request timeout {timeout} + preStop {pause}")
    resources = container["resources"]
    request, limit = bytes_of(resources["requests"]["memory"]), bytes_of(resources["limits"]["memory"])
    check("cpu" in resources["requests"] and MEASURED_PEAK_RSS <= request <= limit,
          f"memory requested ({request >> 20} MiB) at least the measured peak RSS ({MEASURED_PEAK_RSS >> 20} MiB), and limited ({limit >> 20} MiB)")
    pixels = int(arguments[arguments.index("--max-pixels") + 1])
    requests = int(arguments[arguments.index("--max-concurrent-requests") + 1])
    check(MEASURED_PEAK_RSS + 3 * pixels * requests <= limit,
          f"the limit holds the peak and {requests} waiting images of {pixels} pixels, 3 bytes each")
    labels = pod["metadata"]["labels"]
    check(deployment["spec"]["selector"]["matchLabels"].items() <= labels.items(), "the Deployment selects its pods")
    check(service["spec"]["selector"].items() <= labels.items(), "the Service selects the pods")
    ports = {port["name"]: port["containerPort"] for port in container["ports"]}
    check(all(port["targetPort"] in ports for port in service["spec"]["ports"]), "the Service targets the server's port")
    check("--port" not in arguments or str(ports["http"]) == arguments[arguments.index("--port") + 1], "the port is the server's")
    target = autoscaler["spec"]["scaleTargetRef"]
    check((target["kind"], target["name"]) == ("Deployment", deployment["metadata"]["name"]), "the autoscaler scales the Deployment")
    check(autoscaler["spec"]["minReplicas"] >= 1 and autoscaler["spec"]["maxReplicas"] > autoscaler["spec"]["minReplicas"],
          "the autoscaler has room to scale")
    print("deploy check: passed")


if __name__ == "__main__":
    main()
