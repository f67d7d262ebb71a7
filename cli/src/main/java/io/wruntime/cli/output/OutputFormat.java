package io.wruntime.cli.output;

/** How a command prints its result ({@code --output}). */
public enum OutputFormat {
  /** Aligned columns and short lines, for people. */
  TEXT,
  /** One JSON document on stdout, for scripts. */
  JSON
}
