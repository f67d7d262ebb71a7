package io.wruntime.engine.host.db;

import static org.assertj.core.api.Assertions.assertThat;

import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.wasm.Parser;
import com.dylibso.chicory.wasm.WasmModule;
import io.wruntime.engine.config.DatabaseConfig;
import io.wruntime.engine.config.ModuleCapabilities;
import io.wruntime.engine.db.ModuleDatabases;
import io.wruntime.engine.db.ModulePool;
import io.wruntime.engine.db.PostgresUrl;
import io.wruntime.engine.host.abi.AbiViolation;
import io.wruntime.engine.host.abi.GuestMemory;
import io.wruntime.engine.host.abi.HostFunctionDef;
import io.wruntime.engine.host.abi.InstanceContext;
import io.wruntime.engine.host.abi.WitResource;
import io.wruntime.engine.module.HostGrants;
import io.wruntime.engine.module.ModuleDefinition;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Every {@code wruntime:db} host function called with arbitrary flat arguments (handles, pointers,
 * lengths) over memory of random bytes, with a real pool against an embedded PostgreSQL: a call
 * either returns (a result or an error written for the guest) or stops the instance with {@link
 * AbiViolation}; no other exception escapes, and once what the calls left open is released, every
 * connection is back in the pool.
 */
class DbHostAbiIT {
  private static final List<HostFunctionDef> FUNCTIONS = WruntimeDb.functions();
  private static final String[] SQL = {
    "SELECT $1::int4", "SELECT g FROM generate_series(1, 50) g", "SELEC", "SELECT $1::text[]"
  };

  @Test
  void arbitraryArgumentsReturnOrViolateTheAbiAndLeaveThePoolClean() throws Exception {
    WasmModule wasm =
        Parser.parse(Files.readAllBytes(Path.of("target", "test-guests", "db_memory.wasm")));
    try (EmbeddedPostgres postgres = EmbeddedPostgres.builder().start();
        ModulePool pool =
            ModuleDatabases.open(
                new DatabaseConfig(
                    PostgresUrl.parse(
                        "postgresql://postgres:pw@127.0.0.1:" + postgres.getPort() + "/postgres"),
                    null,
                    3,
                    Duration.ofSeconds(5),
                    Duration.ofSeconds(60),
                    Duration.ofSeconds(1)),
                new ModuleCapabilities.Db(null, null),
                "fuzz",
                "db")) {
      ModuleDefinition module =
          new ModuleDefinition(
              "fuzz",
              "db",
              "1.0.0",
              Path.of("db_memory.wasm"),
              Map.of(),
              64L << 20,
              ModuleDefinition.ExecutionMode.INTERPRETED,
              ModuleDefinition.DEFAULT_INITIALIZE_TIMEOUT,
              new HostGrants(Set.of(HostGrants.Capability.DB), 1024).withDb(pool, 2, 3));
      int violations = 0;
      int returned = 0;
      for (int seed = 0; seed < 300; seed++) {
        Random random = new Random(seed);
        InstanceContext ctx =
            new InstanceContext(
                module,
                request -> CompletableFuture.failedFuture(new IllegalStateException("no calls")),
                LoggerFactory.getLogger("guest.fuzz"));
        Instance instance = Instance.builder(wasm).build();
        ctx.bindMemory(new GuestMemory(instance));
        byte[] noise = new byte[16384];
        random.nextBytes(noise);
        for (int b = 0; b < 4096; b++) {
          noise[b] = (byte) (0x20 + Math.floorMod(noise[b], 0x5f)); // text: valid UTF-8
        }
        instance.memory().write(0, noise);
        // Plausible statements and parameter lists, so that calls get past the first checks.
        byte[] sql = SQL[random.nextInt(SQL.length)].getBytes(StandardCharsets.UTF_8);
        instance.memory().write(1024, sql);
        byte[] params = new byte[24 * 4];
        for (int v = 0; v < 4; v++) {
          params[24 * v] = (byte) (random.nextInt(10) == 0 ? random.nextInt(20) : 0);
          // Small payloads: numbers, or (ptr, len) pairs inside the planted SQL.
          params[24 * v + 8] = (byte) (random.nextBoolean() ? 4 : random.nextInt(256));
          params[24 * v + 9] = (byte) (random.nextBoolean() ? 4 : 0);
          params[24 * v + 12] = (byte) random.nextInt(8);
        }
        instance.memory().write(2048, params);
        List<Long> transactions = new ArrayList<>();
        List<Long> cursors = new ArrayList<>();
        try {
          for (int call = 0; call < 40; call++) {
            HostFunctionDef def = FUNCTIONS.get(random.nextInt(FUNCTIONS.size()));
            boolean cursor = def.name().contains("cursor");
            if (def.name().startsWith("[")
                && (cursor ? cursors : transactions).isEmpty()
                && random.nextInt(10) != 0) {
              def = named(cursor ? "query-stream" : "begin-transaction");
            }
            long[] args = args(def.name(), random, sql.length, transactions, cursors);
            def.impl().call(ctx, args);
            returned++;
            track(instance, def.name(), args, transactions, cursors);
          }
        } catch (AbiViolation e) {
          violations++;
        } finally {
          List<Object> live = ctx.resources().all();
          for (int i = live.size() - 1; i >= 0; i--) {
            if (live.get(i) instanceof WitResource r) {
              r.close();
            }
          }
        }
      }
      assertThat(returned).isGreaterThan(1000);
      assertThat(violations).isPositive();
      assertThat(pool.activeConnections()).isZero();
    }
  }

  private static HostFunctionDef named(String name) {
    return FUNCTIONS.stream().filter(f -> f.name().equals(name)).findFirst().orElseThrow();
  }

  /** Remembers the handles a call returned and forgets the ones it dropped. */
  private static void track(
      Instance instance,
      String function,
      long[] args,
      List<Long> transactions,
      List<Long> cursors) {
    long ret = args[args.length - 1];
    switch (function) {
      case "begin-transaction" -> {
        if (instance.memory().read((int) ret) == 0) {
          transactions.add((long) instance.memory().readInt((int) ret + 4));
        }
      }
      case "query-stream", "[method]transaction.query-stream" -> {
        if (instance.memory().read((int) ret) == 0) {
          cursors.add((long) instance.memory().readInt((int) ret + 4));
        }
      }
      case "[resource-drop]transaction" -> transactions.remove(args[0]);
      case "[resource-drop]cursor" -> cursors.remove(args[0]);
      default -> {}
    }
  }

  private static long pick(Random random, List<Long> handles) {
    return handles.isEmpty() || random.nextInt(10) == 0
        ? 1 + random.nextInt(2)
        : handles.get(random.nextInt(handles.size()));
  }

  private static long count(Random random) {
    return random.nextBoolean() ? 0 : random.nextInt(5);
  }

  /**
   * Arguments for {@code function}: mostly the shapes its signature expects (a live-looking handle,
   * the planted SQL and parameters, an aligned return area), sometimes anything.
   */
  private static long[] args(
      String function, Random random, int sqlLength, List<Long> transactions, List<Long> cursors) {
    long handle = pick(random, function.contains("cursor") ? cursors : transactions);
    long ret = 4096 + 8L * random.nextInt(512);
    long[] args =
        switch (function) {
          case "query", "execute", "query-stream" ->
              new long[] {1024, sqlLength, 2048, count(random), ret};
          case "begin-transaction" -> new long[] {ret};
          case "[method]cursor.next-batch" -> new long[] {handle, random.nextInt(12_000), ret};
          case "[resource-drop]cursor", "[resource-drop]transaction" -> new long[] {handle};
          default ->
              function.startsWith("[method]transaction.q")
                      || function.startsWith("[method]transaction.e")
                  ? new long[] {handle, 1024, sqlLength, 2048, count(random), ret}
                  : new long[] {handle, ret};
        };
    for (int i = 0; i < args.length; i++) {
      if (random.nextInt(40) == 0) {
        args[i] = random.nextInt();
      }
    }
    return args;
  }
}
