"""Validates deploy/image2text.yaml against the Kubernetes schemas (kubernetes-validate, strict: no unknown fields)
and checks what the server needs of it: probes on /health, a grace period longer than the request timeout, resources,
a Service and an autoscaler that reach the Deployment. Run by tools/clients/run.sh."""
import os
import sys

import kubernetes_validate
import yaml

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
MANIFEST = os.path.join(ROOT, "deploy", "image2text.yaml")


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
    check("memory" in resources["requests"] and "memory" in resources["limits"] and "cpu" in resources["requests"],
          f"memory and CPU requested, memory limited: {resources}")
    labels = pod["metadata"]["labels"]
    check(deployment["spec"]["selector"]["matchLabels"].items() <= labels.items(), "the Deployment selects its pods")
    check(service["spec"]["selector"].items() <= labels.items(), "the Service selects the pods")
    ports = {port["name"]: port["containerPort"] for port in container["ports"]}
    check(all(port["targetPort"] in ports for port in service["spec"]["ports"]), "the Service targets the server's port")
    check(f"--port" not in arguments or str(ports["http"]) == arguments[arguments.index("--port") + 1], "the port is the server's")
    target = autoscaler["spec"]["scaleTargetRef"]
    check((target["kind"], target["name"]) == ("Deployment", deployment["metadata"]["name"]), "the autoscaler scales the Deployment")
    check(autoscaler["spec"]["minReplicas"] >= 1 and autoscaler["spec"]["maxReplicas"] > autoscaler["spec"]["minReplicas"],
          "the autoscaler has room to scale")
    print("deploy check: passed")


if __name__ == "__main__":
    main()
