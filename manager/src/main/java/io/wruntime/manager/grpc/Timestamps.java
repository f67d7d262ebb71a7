package io.wruntime.manager.grpc;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.Timestamp;
import java.time.Instant;

/** Conversions between {@link Instant} and {@code google.protobuf.Timestamp}. */
public final class Timestamps {
  private Timestamps() {}

  public static Timestamp of(Instant instant) {
    requireNonNull(instant, "instant");
    return Timestamp.newBuilder()
        .setSeconds(instant.getEpochSecond())
        .setNanos(instant.getNano())
        .build();
  }

  public static Instant toInstant(Timestamp timestamp) {
    requireNonNull(timestamp, "timestamp");
    return Instant.ofEpochSecond(timestamp.getSeconds(), timestamp.getNanos());
  }
}
