/**
 * The proxy sidecar: a Netty streaming router next to each engine. It takes the intercepted calls
 * of its engines on loopback port 9001, resolves {@code x-wr-destination} against the routing table
 * it keeps in sync with the manager ({@code WatchRoutingTable}), chooses a healthy instance
 * (version requirement from {@code x-wr-version}, power-of-two-choices load balancing, circuit
 * breakers) and streams the request to the local engine or to the peer proxy of another node on
 * port 9443, without aggregating bodies. Protobuf requests are checked against the destination's
 * schema; allowlisted external hosts are reached through egress. It also serves {@code NodeService}
 * on loopback port 9002, relaying engine registration to the manager and batching heartbeats.
 *
 * <p>{@link io.wruntime.proxy.ProxyMain} is the {@code wr-proxy} command; {@link
 * io.wruntime.proxy.Proxy} wires a running proxy together. Sub-packages: {@code config} ({@code
 * proxy.toml}), {@code routing} (table, watch, resolution), {@code balance} (P2C, circuit
 * breakers), {@code http} (listeners, exchanges, upstream pool), {@code validation} (schemas),
 * {@code node} (NodeService), {@code admin} ({@code /healthz}, {@code /readyz}, {@code /metrics}),
 * {@code telemetry} (spans). See {@code docs/proxy.md}.
 *
 * <p>Planned: mTLS between proxies, the ingress listener, https egress.
 */
package io.wruntime.proxy;
