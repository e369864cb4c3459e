// Docker providers against a real container runtime (issue 9, "A real container runtime in the tests"):
// an image built from local files only, a batch through an `image:` provider with env, a volume and
// `network: none`, and no container left afterwards — after a normal exit, after hangar is killed with
// SIGKILL (its watchdog removes the container), and when the watchdog was killed too (the next hangar
// removes it). Skipped, saying why, only where no runtime can be started; with CI=true that fails.
import { afterAll, describe, expect, test } from "bun:test";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type ContainerRuntime, containerRuntime, containersNamed, testImage } from "../helpers/docker.ts";
import {
  demoProvidersYaml,
  isWatchdog,
  lines,
  type Running,
  runHangar,
  type Sandbox,
  sandbox,
  startHangar,
} from "../helpers/e2e.ts";
import { waitFor } from "../helpers/processes.ts";

const TIMEOUT_MS = 60_000;
const runtime = await containerRuntime();
afterAll(async () => {
  if (runtime.available) await runtime.stop();
});

/**
 * The container's command: the provider's name tells what it sees — `$GREETING` from env, a word read
 * from the volume, and its network interfaces (only `lo` with `network: none`). `stubborn` makes it
 * ignore SIGTERM and stay up after its stdin ends, as a careless server would.
 */
function script(stubborn: boolean): string {
  const name = `read -r word </data/word; nets=; cd /sys/class/net && for i in *; do nets="$nets$i+"; done; cd /`;
  const provider = `/hangar demo-provider --name "$GREETING-$word-$nets"`;
  return stubborn ? `trap '' TERM; ${name}; ${provider}; sleep 600` : `${name}; exec ${provider}`;
}

/** A sandbox whose hangar.yaml has one docker provider `boxed` of the test image. */
function boxedSandbox(image: string, stubborn: boolean): Sandbox {
  const box = sandbox();
  const data = join(box.root, "data");
  mkdirSync(data);
  writeFileSync(join(data, "word"), "there\n");
  box.write(
    "hangar.yaml",
    `providers:
  - id: boxed
    image: ${image}
    network: none
    env: { GREETING: hello }
    volumes: [${JSON.stringify(`${data}:/data:ro`)}]
    args: ["/bin/sh", "-c", ${JSON.stringify(script(stubborn))}]
    startup_timeout_s: 30
`,
  );
  return box;
}

/** The name prefix of the containers a hangar with this pid starts for `boxed`. */
const prefixOf = (pid: number) => `hangar-boxed-${pid}-`;

/** Starts `hangar call --ndjson` of an echo and a long sleep; resolves once the echo has come back. */
async function startLongCall(box: Sandbox): Promise<Running> {
  const file = box.write(
    "long.json",
    JSON.stringify([
      { provider: "boxed", tool: "echo", arguments: { message: "up" } },
      { provider: "boxed", tool: "sleep", arguments: { ms: 60_000 } },
    ]),
  );
  const hangar = startHangar(["call", "--ndjson", file], box.options());
  await waitFor(() => lines(hangar.stdout()).length >= 1, 30_000, "the echo from the container");
  return hangar;
}

if (!runtime.available) {
  if (process.env.CI === "true") {
    test("a container runtime can be started (CI=true requires one)", () => {
      throw new Error(`No container runtime: ${runtime.reason}`);
    });
  } else {
    console.warn(`Skipping the real-docker tests: ${runtime.reason}`);
    test.skip(`docker providers on a real runtime (skipped: ${runtime.reason})`, () => {});
  }
} else {
  const real: ContainerRuntime = runtime;
  describe("docker providers on a real container runtime", () => {
    test(
      "a batch runs in a real container with its env, volume and network none, and no container is left",
      async () => {
        const image = await testImage(real);
        using box = boxedSandbox(image, false);
        const file = box.write(
          "batch.json",
          JSON.stringify([
            { provider: "boxed", tool: "info", arguments: {} },
            { provider: "boxed", tool: "echo", arguments: { message: "from a container" } },
            { provider: "boxed", tool: "add", arguments: { a: 2, b: 3 } },
          ]),
        );
        await using hangar = startHangar(["call", "--json", file], box.options());
        const run = await hangar.done;
        expect(run.code).toBe(0);
        const batch = JSON.parse(run.stdout);
        expect(batch).toMatchObject({ ok: true, succeeded: 3 });
        // Its name says what it saw: $GREETING, the word on the volume, and no network but loopback.
        expect(batch.results[0].result.structuredContent).toMatchObject({ name: "hello-there-lo+" });
        expect(batch.results[1].result.content[0].text).toBe("from a container");
        expect(batch.results[2].result.structuredContent).toEqual({ sum: 5 });
        expect(await containersNamed(real, prefixOf(hangar.pid))).toEqual([]);
      },
      TIMEOUT_MS,
    );

    test(
      "hangar killed with SIGKILL: its watchdog removes the container, which ignores SIGTERM and stdin EOF",
      async () => {
        const image = await testImage(real);
        using box = boxedSandbox(image, true);
        await using hangar = await startLongCall(box);
        const [name] = await containersNamed(real, prefixOf(hangar.pid));
        expect(name).toBeString();
        const labels = await real.docker(["inspect", "--format", "{{json .Config.Labels}}", name!]);
        expect(JSON.parse(labels.stdout)).toEqual({
          "dev.hangar.provider": "boxed",
          "dev.hangar.owner": expect.stringMatching(new RegExp(`^${hangar.pid}-\\d+$`)),
        });
        process.kill(hangar.pid, "SIGKILL");
        const killed = Date.now();
        await hangar.done;
        await waitFor(
          async () => (await containersNamed(real, prefixOf(hangar.pid))).length === 0,
          20_000,
          "no container",
        );
        expect(Date.now() - killed).toBeLessThan(15_000);
      },
      TIMEOUT_MS,
    );

    test(
      "doctor finds the image present, and an image not pulled as such, not as a daemon it cannot reach",
      async () => {
        const image = await testImage(real);
        using box = sandbox();
        box.write(
          "hangar.yaml",
          `providers:
  - { id: present, image: ${image}, args: ["/hangar", "demo-provider"] }
  - { id: absent, image: "hangar-test/not-pulled:0", startup_timeout_s: 5 }
`,
        );
        const doctor = await runHangar(["doctor", "--json", "--no-clients"], box.options());
        const report = JSON.parse(doctor.stdout) as { checks: { subject: string; name: string; status: string }[] };
        const imageCheck = (id: string) => report.checks.find((item) => item.subject === id && item.name === "image");
        expect(imageCheck("present")).toMatchObject({ status: "ok" });
        // docker says "Error response from daemon: No such image": the daemon answered.
        expect(imageCheck("absent")).toMatchObject({
          status: "warn",
          message: expect.stringContaining("is not pulled yet"),
          fix: "docker pull hangar-test/not-pulled:0",
        });
      },
      TIMEOUT_MS,
    );

    test(
      "when the watchdog was killed too, the next hangar removes the container and says so",
      async () => {
        const image = await testImage(real);
        using box = boxedSandbox(image, true);
        await using hangar = await startLongCall(box);
        const [name] = await containersNamed(real, prefixOf(hangar.pid));
        for (const pid of hangar.children().filter(isWatchdog)) process.kill(pid, "SIGKILL");
        process.kill(hangar.pid, "SIGKILL");
        await hangar.done;
        await Bun.sleep(1_000);
        expect(await containersNamed(real, prefixOf(hangar.pid))).toEqual([name!]);
        box.write("quick.yaml", demoProvidersYaml(["quick"]));
        const doctor = await runHangar(["doctor", "--json", "--no-clients", "--config", "quick.yaml"], box.options());
        const report = JSON.parse(doctor.stdout) as { checks: { name: string; status: string; message: string }[] };
        const leftovers = report.checks.filter((item) => item.name === "leftovers");
        expect(leftovers).toEqual([
          expect.objectContaining({ status: "warn", message: expect.stringContaining(`container ${name}`) }),
        ]);
        expect(await containersNamed(real, prefixOf(hangar.pid))).toEqual([]);
      },
      TIMEOUT_MS,
    );
  });
}
