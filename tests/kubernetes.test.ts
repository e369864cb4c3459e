// Issue 13, the manifests: the kustomize base under deploy/kubernetes/ and its two overlays render with
// `kubectl kustomize`, every object is valid against the Kubernetes API schemas (kubernetes-models), and
// what they say about hangar matches what hangar does: the flags are the binary's, the env names are
// the ones src/ reads, the probe and metrics paths answer on the port the manifests name when the
// binary runs with the manifests' env and ConfigMap, every path it reads or writes is on a volume of the
// right kind, and the grace period covers the preStop sleep, the drain and the stop after it.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { ServiceMonitor } from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1";
import { Deployment } from "kubernetes-models/apps/v1";
import { HorizontalPodAutoscaler } from "kubernetes-models/autoscaling/v2";
import { NetworkPolicy } from "kubernetes-models/networking.k8s.io/v1";
import { PodDisruptionBudget } from "kubernetes-models/policy/v1";
import { ConfigMap, Service, ServiceAccount } from "kubernetes-models/v1";
import { parseAllDocuments } from "yaml";
import { ENV } from "../src/knobs.ts";
import { hangarBinary, runHangar, sandbox } from "./helpers/e2e.ts";
import { startHttpHangar } from "./helpers/http-serve.ts";
import { DIST_HANGAR, ROOT } from "./helpers/paths.ts";
import { outputOf } from "./helpers/processes.ts";

const DEPLOY = join(ROOT, "deploy/kubernetes");
/**
 * What hangar needs after the drain period: 1 s for cancelled answers to be written, each provider's
 * stop (stdin closed, SIGTERM, SIGKILL, 2 s apart) and the trace flush.
 */
const STOP_MARGIN_S = 8;

// biome-ignore lint/suspicious/noExplicitAny: rendered manifests are plain JSON, checked field by field below.
type Obj = any;

/** The models that validate each kind the manifests hold; a kind not listed here fails the test. */
const MODELS: Record<string, new (data: Obj) => { validate(): void }> = {
  "v1/ServiceAccount": ServiceAccount,
  "v1/ConfigMap": ConfigMap,
  "v1/Service": Service,
  "apps/v1/Deployment": Deployment,
  "policy/v1/PodDisruptionBudget": PodDisruptionBudget,
  "autoscaling/v2/HorizontalPodAutoscaler": HorizontalPodAutoscaler,
  "networking.k8s.io/v1/NetworkPolicy": NetworkPolicy,
  "monitoring.coreos.com/v1/ServiceMonitor": ServiceMonitor,
};

/** `kubectl kustomize deploy/kubernetes/<dir>`, parsed. kubectl is required: .ci/run installs it when missing. */
async function render(dir: string): Promise<Obj[]> {
  const kubectl = Bun.which("kubectl");
  if (kubectl === null)
    throw new Error("kubectl is not on PATH: apt-get install kubernetes-client (.ci/run installs it when missing)");
  const { code, stdout, stderr } = await outputOf(
    Bun.spawn([kubectl, "kustomize", join(DEPLOY, dir)], { stdout: "pipe", stderr: "pipe" }),
  );
  if (code !== 0) throw new Error(`kubectl kustomize ${dir} failed: ${stderr}`);
  return parseAllDocuments(stdout).map((doc) => doc.toJS());
}

const rendered: Record<string, Obj[]> = {};
const one = (dir: string, kind: string): Obj => {
  const found = rendered[dir]!.filter((object) => object.kind === kind);
  expect(found.length).toBe(1);
  return found[0];
};
const subset = (small: Record<string, string>, big: Record<string, string>) =>
  Object.entries(small).every(([key, value]) => big[key] === value);

beforeAll(async () => {
  for (const dir of ["base", "service-monitor", "network-policy"]) rendered[dir] = await render(dir);
});

describe("Issue 13: the Kubernetes manifests", () => {
  const box = sandbox();
  afterAll(() => box[Symbol.dispose]());

  test("The base and both overlays render, and every object is valid against the Kubernetes API schemas", () => {
    for (const [dir, objects] of Object.entries(rendered)) {
      for (const object of objects) {
        const Model = MODELS[`${object.apiVersion}/${object.kind}`];
        if (Model === undefined) throw new Error(`${dir}: no schema for ${object.apiVersion} ${object.kind}`);
        expect(() => new Model(object).validate()).not.toThrow();
      }
    }
    const kinds = (dir: string) => rendered[dir]!.map((object) => object.kind).sort();
    const base = [
      "ConfigMap",
      "Deployment",
      "HorizontalPodAutoscaler",
      "PodDisruptionBudget",
      "Service",
      "ServiceAccount",
    ];
    expect(kinds("base")).toEqual(base);
    expect(kinds("service-monitor")).toEqual([...base, "ServiceMonitor"].sort());
    expect(kinds("network-policy")).toEqual([...base, "NetworkPolicy"].sort());
  });

  test("The container's flags are the binary's, its env names are the ones src/ reads", async () => {
    const container = one("base", "Deployment").spec.template.spec.containers[0];
    const help = (await runHangar(["serve", "--help"], box.options())).stdout;
    for (const flag of container.args.filter((arg: string) => arg.startsWith("--"))) expect(help).toContain(flag);
    const otelSource = readFileSync(join(ROOT, "src/observability/otel-env.ts"), "utf8");
    const known = new Set<string>(Object.values(ENV));
    for (const { name } of container.env) {
      if (name.startsWith("OTEL_")) expect(otelSource).toContain(`env.${name}`);
      else expect(known).toContain(name);
    }
  });

  test("The grace period covers the preStop sleep, HANGAR_DRAIN_S and the stop after it", () => {
    const pod = one("base", "Deployment").spec.template.spec;
    const container = pod.containers[0];
    const drainS = Number(container.env.find((e: Obj) => e.name === ENV.drainS).value);
    const preStopS = container.lifecycle.preStop.sleep.seconds;
    expect(drainS).toBeGreaterThan(0);
    expect(preStopS).toBeGreaterThan(0);
    expect(pod.terminationGracePeriodSeconds).toBeGreaterThanOrEqual(preStopS + drainS + STOP_MARGIN_S);
  });

  test("Every path hangar reads or writes is on a volume of the right kind; the root filesystem is read-only", () => {
    const deployment = one("base", "Deployment");
    const pod = deployment.spec.template.spec;
    const container = pod.containers[0];
    const env = Object.fromEntries(container.env.map((e: Obj) => [e.name, e.value]));
    const volumeAt = (path: string) => {
      const mount = container.volumeMounts
        .filter((m: Obj) => path === m.mountPath || path.startsWith(`${m.mountPath}/`))
        .sort((a: Obj, b: Obj) => b.mountPath.length - a.mountPath.length)[0];
      expect(mount).toBeDefined();
      return { mount, volume: pod.volumes.find((v: Obj) => v.name === mount.name) };
    };
    const home = volumeAt(env[ENV.home]);
    expect(home.volume.emptyDir).toBeDefined();
    expect(home.mount.readOnly).toBeFalsy();
    expect(volumeAt("/tmp").volume.emptyDir).toBeDefined();
    const config = volumeAt(env[ENV.config]);
    const configMap = one("base", "ConfigMap");
    expect(config.volume.configMap.name).toBe(configMap.metadata.name);
    expect(Object.keys(configMap.data)).toContain(env[ENV.config].slice(config.mount.mountPath.length + 1));
    for (const name of [ENV.tokenFile, ENV.sessionKeyFile]) expect(volumeAt(env[name]).volume.secret).toBeDefined();

    // The image's HANGAR_HOME and user are the manifests'.
    const image = readFileSync(join(ROOT, "scripts/image.sh"), "utf8");
    expect(image).toContain(`ENV ${ENV.home}=${env[ENV.home]}`);
    expect(image).toContain(`USER ${pod.securityContext.runAsUser}:${pod.securityContext.runAsGroup}`);
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } });
    expect(container.securityContext).toMatchObject({
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      runAsNonRoot: true,
      capabilities: { drop: ["ALL"] },
    });
    expect(container.resources.requests.cpu).toBeDefined();
    expect(container.resources.requests.memory).toBeDefined();
  });

  test("Service, PDB, HPA, ServiceMonitor and NetworkPolicy point at the Deployment's pods and port", () => {
    const deployment = one("base", "Deployment");
    const podLabels = deployment.spec.template.metadata.labels;
    const container = deployment.spec.template.spec.containers[0];
    const port = container.ports.find((p: Obj) => p.name === "http");
    const service = one("base", "Service");
    expect(subset(service.spec.selector, podLabels)).toBe(true);
    expect(service.spec.ports.map((p: Obj) => p.targetPort)).toEqual(["http"]);
    // Any replica answers any request (sealed 2025 session ids, sessionless 2026): no affinity.
    expect(service.spec.sessionAffinity ?? "None").toBe("None");
    expect(subset(one("base", "PodDisruptionBudget").spec.selector.matchLabels, podLabels)).toBe(true);
    const hpa = one("base", "HorizontalPodAutoscaler");
    expect(hpa.spec.scaleTargetRef).toMatchObject({ kind: "Deployment", name: deployment.metadata.name });
    expect(hpa.spec.metrics[0].resource.name).toBe("cpu");
    const annotations = deployment.spec.template.metadata.annotations;
    expect(annotations["prometheus.io/port"]).toBe(String(port.containerPort));
    expect(container.args.join(" ")).toContain(`--port ${port.containerPort}`);
    const monitor = one("service-monitor", "ServiceMonitor");
    expect(subset(monitor.spec.selector.matchLabels, service.metadata.labels)).toBe(true);
    expect(monitor.spec.endpoints[0]).toMatchObject({
      port: service.spec.ports[0].name,
      path: annotations["prometheus.io/path"],
    });
    const policy = one("network-policy", "NetworkPolicy");
    expect(subset(policy.spec.podSelector.matchLabels, podLabels)).toBe(true);
    for (const rule of policy.spec.ingress) expect(rule.ports.map((p: Obj) => p.port)).toEqual(["http"]);
  });

  test("The binary, run with the manifests' env and ConfigMap, answers the probe and metrics paths and wants the token", async () => {
    const deployment = one("base", "Deployment");
    const pod = deployment.spec.template.spec;
    const container = pod.containers[0];
    // The pod's filesystem, below the sandbox: the ConfigMap's files, the Secret's token and session key, the emptyDirs.
    const inPod = (path: string) => join(box.root, "pod", path);
    const env: Record<string, string> = { PATH: `${dirname(DIST_HANGAR)}:${process.env.PATH}` };
    for (const { name, value } of container.env) {
      if (name.startsWith("OTEL_")) continue; // no collector here
      env[name] = value.startsWith("/") ? inPod(value) : value;
    }
    const configMap = one("base", "ConfigMap");
    const configDir = container.volumeMounts.find((m: Obj) => m.name === "config").mountPath;
    for (const [file, text] of Object.entries(configMap.data as Record<string, string>)) {
      mkdirSync(inPod(configDir), { recursive: true });
      writeFileSync(join(inPod(configDir), file), text);
    }
    mkdirSync(dirname(env[ENV.tokenFile]!), { recursive: true });
    writeFileSync(env[ENV.tokenFile]!, "manifest-token\n");
    mkdirSync(dirname(env[ENV.sessionKeyFile]!), { recursive: true });
    writeFileSync(env[ENV.sessionKeyFile]!, "the replicas' session key, thirty-two bytes or more\n");
    mkdirSync(env[ENV.home]!, { recursive: true });
    hangarBinary();

    // The manifest's own args, but on a free loopback port: the probes name the port, not a number.
    const args = container.args
      .slice(2)
      .join(" ")
      .replace("--host 0.0.0.0", "")
      .replace(/--port \d+/, "")
      .trim();
    expect(container.args.slice(0, 2)).toEqual(["serve", "--http"]);
    await using http = await startHttpHangar(box, args === "" ? [] : args.split(" "), env);
    for (const probe of [container.startupProbe, container.livenessProbe, container.readinessProbe]) {
      expect(probe.httpGet.port).toBe("http");
      expect((await fetch(`${http.base}${probe.httpGet.path}`)).status).toBe(200);
    }
    expect(
      (await fetch(`${http.base}${deployment.spec.template.metadata.annotations["prometheus.io/path"]}`)).status,
    ).toBe(200);
    const batch = JSON.stringify([{ provider: "demo", tool: "echo", arguments: { message: "in the pod" } }]);
    const post = (headers: Record<string, string>) =>
      fetch(`${http.base}/v1/call`, {
        method: "POST",
        headers: { "content-type": "application/json", ...headers },
        body: batch,
      });
    expect((await post({})).status).toBe(401);
    const answered = await post({ authorization: "Bearer manifest-token" });
    expect((await answered.json()).results[0]).toMatchObject({ ok: true });
  }, 60_000);
});
