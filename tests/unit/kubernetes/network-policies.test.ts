import * as assert from "assert";
import { ManifestContext, networkPolicyManifests, serviceManifests } from "../../../components/platform/kubernetes";
import { LABELS, Tier, TIER_INGRESS, TIERS } from "../../../components/platform/spec";
import { allowed, api, arr, connects, ctx, edge, get, netOpts, nodeExporter, NS, podOf, postgres, selects, web } from "./fixtures";

describe("kubernetes network-policies", () => {
        it("denies all ingress and egress by default", () => {
            const deny = networkPolicyManifests(netOpts).find((p) => p.metadata.name === "default-deny");
            assert.deepStrictEqual(get(deny, "spec"), { podSelector: {}, policyTypes: ["Ingress", "Egress"] });
        });

        it("allows exactly the tier pairs of TIER_INGRESS, in both directions", () => {
            const policies = networkPolicyManifests(netOpts);
            const ingressPairs = new Set<string>();
            const egressPairs = new Set<string>();
            for (const p of policies) {
                const sel = get(p, "spec.podSelector.matchLabels") as Record<string, string> | undefined;
                const tier = sel?.[LABELS.tier];
                if (!tier) continue;
                for (const rule of arr(get(p, "spec.ingress") ?? [])) {
                    for (const peer of arr(rule.from)) {
                        assert.deepStrictEqual(get(peer, "namespaceSelector.matchExpressions.0.values"), [NS, `${NS}-host`]);
                        for (const from of get(peer, "podSelector.matchExpressions.0.values") as string[]) ingressPairs.add(`${from}->${tier}`);
                    }
                }
                for (const rule of arr(get(p, "spec.egress") ?? [])) {
                    for (const peer of arr(rule.to)) {
                        if (peer.ipBlock) continue;
                        for (const to of get(peer, "podSelector.matchExpressions.0.values") as string[]) egressPairs.add(`${tier}->${to}`);
                    }
                }
            }
            const expected = new Set(TIERS.flatMap((to: Tier) => TIER_INGRESS[to].map((from) => `${from}->${to}`)));
            assert.deepStrictEqual([...ingressPairs].sort(), [...expected].sort());
            assert.deepStrictEqual([...egressPairs].sort(), [...expected].sort());
            assert.ok(!expected.has("edge->data") && !ingressPairs.has("edge->data"));
        });

        it("lets Prometheus (ops, app namespace) scrape node-exporter pods (ops, host-agent namespace); other tiers cannot", () => {
            const hostCtx: ManifestContext = { namespace: `${NS}-host`, component: "monitoring" };
            const policies = [...networkPolicyManifests(netOpts), ...networkPolicyManifests({ ...netOpts, namespace: `${NS}-host` })];
            const nodeExp = podOf(serviceManifests("node-exporter", nodeExporter, hostCtx), `${NS}-host`);
            const prometheus = podOf(
                serviceManifests("prometheus", { ...web, tier: "ops", ports: [{ name: "http", port: 9090 }], healthCheck: { kind: "tcp", port: 9090 } }, { ...ctx, component: "monitoring" }),
                NS,
            );
            const apiPod = podOf(serviceManifests("api", api, ctx), NS);
            const edgePod = podOf(serviceManifests("edge", edge, ctx), NS);
            assert.ok(connects(policies, prometheus, nodeExp, 9100), "prometheus → node-exporter:9100");
            assert.ok(!connects(policies, apiPod, nodeExp, 9100), "api → node-exporter");
            assert.ok(!connects(policies, edgePod, nodeExp, 9100), "edge → node-exporter");
            // Cluster DNS, for the discovery lookups.
            const dns = { ns: "kube-system", labels: { "k8s-app": "kube-dns" } };
            assert.ok(allowed(policies, "Egress", prometheus, { pod: dns }, 53));
            assert.ok(!allowed(policies, "Egress", prometheus, { pod: dns }, 80));
        });

        it("lets Prometheus scrape each API pod found through the headless api-pods Service; tiers that may not reach the API cannot", () => {
            // A headless Service has no virtual IP: clients connect straight to the pod addresses,
            // so the pod-level tier policies are all that applies (no extra policy is needed).
            const policies = networkPolicyManifests(netOpts);
            const m = serviceManifests("api", api, ctx);
            assert.strictEqual(get(m.podsService, "spec.clusterIP"), "None");
            const apiPod = podOf(m, NS);
            assert.ok(selects({ matchLabels: get(m.podsService, "spec.selector") as Record<string, string> }, apiPod.labels), "api-pods selects the API pods");
            const prometheus = podOf(
                serviceManifests("prometheus", { ...web, tier: "ops", ports: [{ name: "http", port: 9090 }], healthCheck: { kind: "tcp", port: 9090 } }, { ...ctx, component: "monitoring" }),
                NS,
            );
            const pg = podOf(serviceManifests("postgres", postgres, ctx), NS);
            assert.ok(connects(policies, prometheus, apiPod, 8000), "prometheus → api pod:8000");
            assert.ok(!connects(policies, pg, apiPod, 8000), "postgres → api pod");
        });

        it("lets every pod reach cluster DNS and only the ops tier reach the internet on 443, not private ranges", () => {
            const policies = networkPolicyManifests(netOpts);
            const dns = policies.find((p) => p.metadata.name === "allow-dns-egress");
            assert.deepStrictEqual(get(dns, "spec.podSelector"), {});
            assert.deepStrictEqual(arr(get(dns, "spec.egress.0.ports")).map((p) => `${String(p.protocol)}/${String(p.port)}`), ["UDP/53", "TCP/53"]);
            for (const p of policies) {
                const ext = arr(get(p, "spec.egress") ?? []).filter((r) => arr(r.to).some((peer) => peer.ipBlock));
                if (p.metadata.name === "tier-ops") {
                    assert.strictEqual(ext.length, 2);
                    assert.deepStrictEqual(arr(ext[0].ports).map((x) => x.port), [443]);
                    assert.ok((get(ext[0], "to.0.ipBlock.except") as string[]).includes("169.254.0.0/16"));
                    assert.ok((get(ext[0], "to.0.ipBlock.except") as string[]).includes("10.0.0.0/8"));
                } else {
                    assert.strictEqual(ext.length, 0, `${String(p.metadata.name)} must not reach outside`);
                }
            }
        });
});
