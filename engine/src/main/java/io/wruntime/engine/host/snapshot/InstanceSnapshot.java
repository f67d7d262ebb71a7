package io.wruntime.engine.host.snapshot;

import static java.util.Objects.requireNonNull;

import com.dylibso.chicory.runtime.GlobalInstance;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.Memory;
import com.dylibso.chicory.runtime.TableFactory;
import com.dylibso.chicory.runtime.TableInstance;
import com.dylibso.chicory.wasm.WasmModule;
import com.dylibso.chicory.wasm.types.Element;
import com.dylibso.chicory.wasm.types.MemoryLimits;
import com.dylibso.chicory.wasm.types.MutabilityType;
import com.dylibso.chicory.wasm.types.PassiveDataSegment;
import com.dylibso.chicory.wasm.types.Table;
import com.dylibso.chicory.wasm.types.TableLimits;
import com.dylibso.chicory.wasm.types.Value;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.function.IntFunction;
import java.util.function.ToIntFunction;

/**
 * The state of one core instance after its initialization — linear memory, mutable globals, tables,
 * dropped data and element segments — from which further instances of the same module start instead
 * of re-running data segments, element segments and {@code _initialize}.
 *
 * <p>Use, per core instance (the engine does this for every module, {@code LoadedModule}; the
 * component runtime can do it for each core instance of a component):
 *
 * <ol>
 *   <li>Once: build and {@link Instance#initialize(boolean) initialize} an instance, run the
 *       module's initialization ({@code _initialize}, a wizer entry point...), then {@link
 *       #capture(Instance)}. Check {@link #unsupportedReason(WasmModule)} first.
 *   <li>Per new instance: {@link #prepare(Instance.Builder)} the builder (same module, same memory
 *       limits, imports of the same shape), {@code build()}, bind the host to it as for any
 *       instance, {@link Instance#initialize(boolean) initialize(false)}, then {@link
 *       #restore(Instance)}. Do not run the initialization again.
 * </ol>
 *
 * <p>The new instance's memory starts from the captured {@link MemoryImage} ({@link MemoryKind}): a
 * {@link ContiguousMemory} holding a copy of it for a core module's image of up to {@link
 * MemoryKind#CONTIGUOUS_IMAGE_MAX_BYTES}, else a {@link CopyOnWriteMemory} over it, which costs the
 * blocks the instance writes, not the size of the image. {@code initialize(false)} still evaluates
 * globals and element segments (cheap) but skips the data segments; {@code restore} then sets the
 * mutable globals, the tables (each entry pointing at the new instance where it pointed at the
 * captured one), and drops the segments the initialization dropped.
 *
 * <p>What a snapshot does not carry: the host side. Resource handles created during the
 * initialization live in the host's tables of that instance, not in the snapshot; the engine only
 * snapshots a module whose initialization left no resource open. Values the initialization took
 * from the host (random bytes, the time) are the same in every instance started from the snapshot.
 * Imported memories, tables and globals belong to the instance that defines them and are captured
 * with it; an instance that imports a memory writes its own active data segments into it during
 * {@code initialize} (call {@link CopyOnWriteMemory#skipNextInitialize()} on the memory first when
 * the owner's image already holds them).
 *
 * <p>A snapshot may be used by any number of threads at once. It is immutable but for one choice:
 * once a request instance's {@link ContiguousMemory} grew in small steps, that instance is not
 * reused and later ones get a {@link CopyOnWriteMemory}.
 */
public final class InstanceSnapshot {
  private final WasmModule module;
  private final MemoryImage memory;
  private final MemoryKind memoryKind;
  private final int importedGlobals;
  private final long[] globalLow;
  private final long[] globalHigh;
  private final boolean[] globalMutable;
  private final int importedTables;
  private final Map<Table, Integer> tableIndex;
  private final int[][] tableRefs;
  private final boolean[][] tableRefsSelf;
  // The index of the other instance an entry belongs to (-1: none), not the instance itself: a
  // snapshot must not keep the capture-time instances (their memories) alive.
  private final int[][] tableRefsOther;
  private final Element[] elements;
  private final boolean[] droppedData;
  private final boolean reusable;
  // Set once an instance's ContiguousMemory grew in small steps (each a copy of the whole memory):
  // later instances get a CopyOnWriteMemory, whose growth costs no copy. Only goes false -> true.
  private volatile boolean grewInSmallSteps;

  private InstanceSnapshot(
      WasmModule module,
      MemoryImage memory,
      MemoryKind memoryKind,
      int importedGlobals,
      long[] globalLow,
      long[] globalHigh,
      boolean[] globalMutable,
      int importedTables,
      Map<Table, Integer> tableIndex,
      int[][] tableRefs,
      boolean[][] tableRefsSelf,
      int[][] tableRefsOther,
      Element[] elements,
      boolean[] droppedData) {
    this.module = module;
    this.memory = memory;
    this.memoryKind = memoryKind;
    this.importedGlobals = importedGlobals;
    this.globalLow = globalLow;
    this.globalHigh = globalHigh;
    this.globalMutable = globalMutable;
    this.importedTables = importedTables;
    this.tableIndex = tableIndex;
    this.tableRefs = tableRefs;
    this.tableRefsSelf = tableRefsSelf;
    this.tableRefsOther = tableRefsOther;
    this.elements = elements;
    this.droppedData = droppedData;
    this.reusable = notReusableReason(module) == null;
  }

  /**
   * Why an instance of {@code module} cannot be {@link #reset} and reused, or null when it can:
   * exception tags (Chicory keeps the exceptions an instance threw in the instance) or GC types
   * (Chicory keeps an instance's GC objects in it); neither can be put back from outside.
   */
  public static String notReusableReason(WasmModule module) {
    requireNonNull(module, "module");
    if (module.tagSection().map(s -> s.tagCount()).orElse(0) > 0) {
      return "it uses exception tags";
    }
    var types = module.typeSection();
    for (int i = 0; i < types.subTypeCount(); i++) {
      if (types.getSubType(i).compType().funcType() == null) {
        return "it uses GC types";
      }
    }
    return null;
  }

  /** Whether instances of the snapshot's module can be {@link #reset} and reused. */
  public boolean reusable() {
    return reusable;
  }

  /**
   * Why instances of {@code module} cannot start from a snapshot, or null when they can: a start
   * function (it would run again in every instance), more than one memory of its own, or a shared
   * memory.
   */
  public static String unsupportedReason(WasmModule module) {
    requireNonNull(module, "module");
    if (module.startSection().isPresent()) {
      return "it has a start function, which runs in every instance";
    }
    return unsupportedReasonOnceStarted(module);
  }

  /**
   * Why instances of {@code module} cannot start from a snapshot taken after its start function ran
   * (a component's core instances: their instances from the snapshot are initialized without
   * running it again), or null when they can: more than one memory of its own, or a shared memory.
   */
  public static String unsupportedReasonOnceStarted(WasmModule module) {
    requireNonNull(module, "module");
    int memories = module.memorySection().map(s -> s.memoryCount()).orElse(0);
    if (memories > 1) {
      return "it defines " + memories + " memories (snapshots cover one)";
    }
    if (memories == 1 && module.memorySection().get().getMemory(0).limits().shared()) {
      return "its memory is shared (threads)";
    }
    return null;
  }

  /**
   * The state of {@code instance} now: call it after its initialization ran, with no call of the
   * instance in progress.
   *
   * @throws IllegalArgumentException when {@link #unsupportedReason(WasmModule)} says why not
   */
  public static InstanceSnapshot capture(Instance instance) {
    return capture(instance, false);
  }

  /**
   * Like {@link #capture(Instance)}; with {@code startRan} the instance's start function (if any)
   * already ran and is part of the state (instances from the snapshot must not run it again: {@code
   * initialize(false)}), as for a component's core instances.
   *
   * @throws IllegalArgumentException when {@link #unsupportedReasonOnceStarted(WasmModule)} (or,
   *     without {@code startRan}, {@link #unsupportedReason(WasmModule)}) says why not
   */
  public static InstanceSnapshot capture(Instance instance, boolean startRan) {
    InstanceSnapshot snapshot =
        capture(
            instance,
            startRan,
            other -> {
              throw new IllegalArgumentException(
                  "instance: a table entry belongs to another instance (expected: the instance's"
                      + " own functions)");
            });
    return snapshot.memory == null
        ? snapshot
        : snapshot.withMemory(MemoryKind.forImage(snapshot.memory));
  }

  /**
   * Like {@link #capture(Instance, boolean)}, for one of several instances whose tables may hold
   * each other's functions: an entry of another instance is kept as {@code indexOf.applyAsInt(it)}
   * ({@link #restore(Instance, IntFunction)} maps it back), so the snapshot keeps no reference to
   * the captured instances.
   */
  public static InstanceSnapshot capture(
      Instance instance, boolean startRan, ToIntFunction<Instance> indexOf) {
    requireNonNull(instance, "instance");
    requireNonNull(indexOf, "indexOf");
    WasmModule module = instance.module();
    String reason = startRan ? unsupportedReasonOnceStarted(module) : unsupportedReason(module);
    if (reason != null) {
      throw new IllegalArgumentException("instance: cannot be snapshotted: " + reason);
    }
    MemoryImage image = null;
    int importedMemories = instance.imports().memoryCount();
    if (module.memorySection().map(s -> s.memoryCount()).orElse(0) == 1) {
      image = MemoryImage.of(instance.memory(importedMemories));
    }

    int importedGlobals = instance.imports().globalCount();
    int globals = instance.globalCount() - importedGlobals;
    long[] low = new long[globals];
    long[] high = new long[globals];
    boolean[] mutable = new boolean[globals];
    for (int i = 0; i < globals; i++) {
      GlobalInstance g = instance.global(importedGlobals + i);
      low[i] = g.getValueLow();
      high[i] = g.getValueHigh();
      mutable[i] = g.getMutabilityType() == MutabilityType.Var;
    }

    int importedTables = instance.imports().tableCount();
    int tables = instance.tableCount() - importedTables;
    Map<Table, Integer> tableIndex = new IdentityHashMap<>();
    int[][] refs = new int[tables][];
    boolean[][] self = new boolean[tables][];
    int[][] other = new int[tables][];
    for (int t = 0; t < tables; t++) {
      tableIndex.put(module.tableSection().getTable(t), t);
      TableInstance table = instance.table(importedTables + t);
      int size = table.size();
      refs[t] = new int[size];
      self[t] = new boolean[size];
      other[t] = new int[size];
      for (int k = 0; k < size; k++) {
        refs[t][k] = table.ref(k);
        Instance owner = table.instance(k);
        if (owner == instance) {
          self[t][k] = true;
          other[t][k] = -1;
        } else {
          other[t][k] = owner == null ? -1 : indexOf.applyAsInt(owner);
        }
      }
    }

    Element[] elements = new Element[instance.elementCount()];
    for (int i = 0; i < elements.length; i++) {
      elements[i] = instance.element(i);
    }
    int dataCount = module.dataSection().dataSegmentCount();
    boolean[] dropped = new boolean[dataCount];
    for (int i = 0; i < dataCount; i++) {
      dropped[i] = dropped(instance, module, i);
    }
    return new InstanceSnapshot(
        module,
        image,
        MemoryKind.COPY_ON_WRITE,
        importedGlobals,
        low,
        high,
        mutable,
        importedTables,
        Map.copyOf(tableIndex),
        refs,
        self,
        other,
        elements,
        dropped);
  }

  /**
   * The same snapshot, but each new instance copies the whole memory image up front instead of
   * block by block on first write (what the benchmark compares copy-on-write against).
   */
  public InstanceSnapshot withEagerMemoryCopy() {
    return withMemory(MemoryKind.EAGER_COPY);
  }

  /**
   * The memory the next instance of this snapshot gets: {@link MemoryKind#COPY_ON_WRITE} instead of
   * {@link MemoryKind#CONTIGUOUS} once an instance's memory {@link
   * ContiguousMemory#grewInSmallSteps() grew in small steps}.
   */
  public MemoryKind memoryKind() {
    return memoryKind == MemoryKind.CONTIGUOUS && grewInSmallSteps
        ? MemoryKind.COPY_ON_WRITE
        : memoryKind;
  }

  /** The same snapshot, its instances' memory of {@code kind}. */
  public InstanceSnapshot withMemory(MemoryKind kind) {
    requireNonNull(kind, "kind");
    return new InstanceSnapshot(
        module,
        memory,
        kind,
        importedGlobals,
        globalLow,
        globalHigh,
        globalMutable,
        importedTables,
        tableIndex,
        tableRefs,
        tableRefsSelf,
        tableRefsOther,
        elements,
        droppedData);
  }

  /** The module the snapshot was taken of. */
  public WasmModule module() {
    return module;
  }

  /** The image of the instance's own memory, or null when it has none (or imports it). */
  public MemoryImage memory() {
    return memory;
  }

  /** The heap the snapshot keeps: its memory image's non-zero blocks. */
  public long retainedBytes() {
    return memory == null ? 0 : memory.retainedBytes();
  }

  /**
   * Configures {@code builder} (of this snapshot's module) so that the instance it builds starts
   * from the snapshot: its memory over the image, its tables at the captured sizes. Call {@link
   * #restore(Instance)} after {@code initialize}.
   */
  public Instance.Builder prepare(Instance.Builder builder) {
    requireNonNull(builder, "builder");
    if (memory != null) {
      MemoryImage image = memory;
      MemoryKind kind = memoryKind();
      builder.withMemoryFactory(limits -> kind.create(limits, image));
    }
    if (!tableIndex.isEmpty()) {
      builder.withTableFactory(tableFactory());
    }
    return builder;
  }

  /** Tables of the captured sizes, each its own {@link Table} so growth stays in the instance. */
  private TableFactory tableFactory() {
    return (table, initialValue) -> {
      Integer t = tableIndex.get(table);
      if (t == null) {
        return new TableInstance(table, initialValue);
      }
      Table sized =
          new Table(
              table.elementType(),
              new TableLimits(tableRefs[t].length, table.limits().max()),
              table.initialize());
      return new TableInstance(sized, initialValue);
    };
  }

  /**
   * Puts {@code target}, an instance built with {@link #prepare} and restored from this snapshot
   * that has run calls since, back to the snapshot's state so that it can serve another call as a
   * new instance would: its memory back to the image ({@link CopyOnWriteMemory#reset()}: the blocks
   * written are dropped, the size is the image's again), every mutable global, every table entry
   * and the element segments as {@link #restore} sets them. Returns false when that cannot be done
   * completely, and the instance must then be discarded: the module is not {@link #reusable}, the
   * instance imports tags, a table changed its size (Chicory tables do not shrink), a data segment
   * was dropped since the snapshot (a dropped segment cannot be brought back), the memory is not
   * the snapshot's, or it is a {@link ContiguousMemory} that {@link
   * ContiguousMemory#grewInSmallSteps() grew in small steps} (later instances get a {@link
   * CopyOnWriteMemory}). Table entries that pointed at another instance point at {@code
   * others.apply(thatInstance)}.
   */
  public boolean reset(Instance target, IntFunction<Instance> others) {
    requireNonNull(target, "target");
    requireNonNull(others, "others");
    if (!reusable || target.module() != module || target.tagCount() > 0) {
      return false;
    }
    for (int t = 0; t < tableRefs.length; t++) {
      if (target.table(importedTables + t).size() != tableRefs[t].length) {
        return false;
      }
    }
    for (int i = 0; i < droppedData.length; i++) {
      if (dropped(target, module, i) != droppedData[i]) {
        return false;
      }
    }
    if (memory != null) {
      boolean reset =
          switch (target.memory(target.imports().memoryCount())) {
            case ContiguousMemory contiguous when contiguous.grewInSmallSteps() -> {
              grewInSmallSteps = true;
              yield false;
            }
            case ContiguousMemory contiguous -> contiguous.reset();
            case CopyOnWriteMemory cow -> cow.reset();
            default -> false;
          };
      if (!reset) {
        return false;
      }
    }
    restore(target, others);
    return true;
  }

  /** Like {@link #reset(Instance, IntFunction)} for a lone instance (a core module's). */
  public boolean reset(Instance target) {
    return reset(
        target,
        index -> {
          throw new IllegalStateException("a table entry of another instance in a lone snapshot");
        });
  }

  /**
   * Whether passive data segment {@code segment} of {@code instance} was dropped ({@code
   * data.drop}: Chicory replaces it by an empty one). Active segments are not looked at: they were
   * applied at instantiation (the spec counts them as dropped then), and Chicory's {@code data()}
   * copies a segment on every call — the componentize-js guest's 10,000 active segments (4.9 MB)
   * were copied twice on every reset.
   */
  private static boolean dropped(Instance instance, WasmModule module, int segment) {
    if (!(module.dataSection().getDataSegment(segment) instanceof PassiveDataSegment)) {
      return false;
    }
    return instance.dataSegmentData(segment).length == 0;
  }

  /**
   * Puts the captured globals, tables and segment state into {@code target}, built with {@link
   * #prepare} and initialized; table entries that pointed at the captured instance point at {@code
   * target}, others at the same instance as before.
   */
  public void restore(Instance target) {
    restore(
        target,
        index -> {
          throw new IllegalStateException("a table entry of another instance in a lone snapshot");
        });
  }

  /**
   * Like {@link #restore(Instance)}, with entries of the tables that pointed at another instance
   * pointing at {@code others.apply(itsIndex)}, the index {@link #capture(Instance, boolean,
   * ToIntFunction)} recorded (a component runtime maps it to its new core instance of that index).
   *
   * @throws IllegalArgumentException when {@code target} is not an instance of the snapshot's
   *     module, or was not built with {@link #prepare}
   */
  public void restore(Instance target, IntFunction<Instance> others) {
    requireNonNull(target, "target");
    requireNonNull(others, "others");
    if (target.module() != module) {
      throw new IllegalArgumentException(
          "target: an instance of another module (expected: the snapshot's module)");
    }
    Memory own = memory == null ? null : target.memory(target.imports().memoryCount());
    if (memory != null && !(own instanceof CopyOnWriteMemory || own instanceof ContiguousMemory)) {
      throw new IllegalArgumentException(
          "target: its memory is not the snapshot's (expected: an instance built with prepare())");
    }
    for (int i = 0; i < globalLow.length; i++) {
      if (globalMutable[i]) {
        GlobalInstance g = target.global(importedGlobals + i);
        g.setValueLow(globalLow[i]);
        g.setValueHigh(globalHigh[i]);
      }
    }
    for (int t = 0; t < tableRefs.length; t++) {
      TableInstance table = target.table(importedTables + t);
      int[] refs = tableRefs[t];
      if (table.size() < refs.length) {
        table.grow(refs.length - table.size(), Value.REF_NULL_VALUE, null);
      }
      if (table.size() != refs.length) {
        throw new IllegalArgumentException(
            "target: table "
                + (importedTables + t)
                + " has "
                + table.size()
                + " entries (expected: "
                + refs.length
                + ", an instance built with prepare())");
      }
      boolean[] self = tableRefsSelf[t];
      int[] other = tableRefsOther[t];
      for (int k = 0; k < refs.length; k++) {
        Instance owner = self[k] ? target : other[k] < 0 ? null : others.apply(other[k]);
        table.setRef(k, refs[k], owner);
      }
    }
    for (int i = 0; i < elements.length; i++) {
      if (target.element(i) != elements[i]) {
        target.setElement(i, elements[i]);
      }
    }
    for (int i = 0; i < droppedData.length; i++) {
      if (droppedData[i]) {
        target.dropDataSegment(i);
      }
    }
  }

  /**
   * The memory an instance from a snapshot gets. A core module's snapshot picks {@link #forImage by
   * the image's size}; a component's core instances keep {@link #COPY_ON_WRITE} (their images are
   * the large ones, and an imported memory skips its importer's data segments through {@link
   * CopyOnWriteMemory#skipNextInitialize()}).
   */
  public enum MemoryKind {
    /**
     * {@link ContiguousMemory}: a copy of the image in one array, the fastest accesses; a new
     * instance copies the whole image, a reset only the blocks written.
     */
    CONTIGUOUS,
    /** {@link CopyOnWriteMemory} sharing the image's blocks until written. */
    COPY_ON_WRITE,
    /** {@link CopyOnWriteMemory} copying every block up front (a benchmark's baseline). */
    EAGER_COPY;

    /**
     * Images up to this size get {@link #CONTIGUOUS}: copying one costs a new instance about a
     * millisecond per 10 MiB, and an idle instance kept for reuse holds its copy; larger images
     * (JavaScript's 10+ MiB) stay copy-on-write.
     */
    public static final long CONTIGUOUS_IMAGE_MAX_BYTES = 4L << 20;

    /**
     * The kind for a core module's snapshot of {@code image}: {@link #CONTIGUOUS} up to {@link
     * #CONTIGUOUS_IMAGE_MAX_BYTES}, else {@link #COPY_ON_WRITE}; the JVM property {@code
     * wruntime.snapshot-memory} ({@code contiguous}, {@code copy-on-write}) sets one kind for every
     * size, for comparisons.
     */
    public static MemoryKind forImage(MemoryImage image) {
      String forced = System.getProperty("wruntime.snapshot-memory", "");
      return switch (forced) {
        case "contiguous" -> CONTIGUOUS;
        case "copy-on-write" -> COPY_ON_WRITE;
        default ->
            (long) image.pageCount() * Memory.PAGE_SIZE <= CONTIGUOUS_IMAGE_MAX_BYTES
                ? CONTIGUOUS
                : COPY_ON_WRITE;
      };
    }

    Memory create(MemoryLimits limits, MemoryImage image) {
      return switch (this) {
        case CONTIGUOUS -> new ContiguousMemory(limits, image);
        case COPY_ON_WRITE -> new CopyOnWriteMemory(limits, image, false);
        case EAGER_COPY -> new CopyOnWriteMemory(limits, image, true);
      };
    }
  }
}
