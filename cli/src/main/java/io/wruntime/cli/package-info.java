/**
 * {@code wr-cli}, the command-line client. {@link io.wruntime.cli.WrCli} is the root command and
 * holds the global options ({@code --manager}, {@code --proxy}, {@code --output}) and the one
 * exception handler; each subcommand is one class: {@code invoke} (call a module through the proxy,
 * JSON converted to protobuf with the schema fetched from the manager), {@code engines list |get},
 * {@code services list|get} and {@code routes list} against the manager's gRPC API, and {@code
 * metrics summary} from the proxy's admin {@code /metrics}. A new group (such as {@code dev}) is a
 * class like {@link io.wruntime.cli.registry.EnginesCommand} added to the root's subcommands.
 */
package io.wruntime.cli;
