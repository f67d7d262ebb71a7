/**
 * {@code wr-cli}, the command-line client. Today it has only {@link io.wruntime.cli.WrCli} with
 * {@code --help}, {@code --version} and {@code help}. Planned, one class per subcommand: {@code
 * invoke} (call a module through a proxy, converting JSON to protobuf with the schema fetched from
 * the manager), {@code engines}, {@code services}, {@code managers}, {@code secrets} and {@code
 * schedules} against the manager's gRPC API (address from {@code --manager} or {@code WR_MANAGER}),
 * {@code metrics summary}, schema tools, and {@code dev} to run manager, proxy and engines in one
 * JVM.
 */
package io.wruntime.cli;
