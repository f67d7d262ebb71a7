/**
 * The proxy sidecar (planned; nothing here runs yet): a Netty streaming router next to each engine.
 * It will take the intercepted calls of its engine on loopback port 9001, resolve {@code
 * x-wr-destination} against the routing table it keeps in sync with the manager, choose a healthy
 * instance (version requirement from {@code x-wr-version}, load balancing, circuit breakers) and
 * stream the request to the local engine or to the peer proxy of another node on port 9443, without
 * aggregating bodies. It will also serve the {@code NodeService} on loopback port 9002, relaying
 * engine registration to the manager and batching heartbeats, and host the ingress and egress
 * listeners that strip {@code x-wr-*} headers at the edge.
 */
package io.wruntime.proxy;
