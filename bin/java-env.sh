# Sourced by the launchers and CI: selects a JDK >= 21 and exports JAVA_HOME and JAVA.
wr_java_major() {
  "$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p' | head -n1
}

wr_select_java() {
  local candidate major
  for candidate in "${JAVA_HOME:-}" /usr/lib/jvm/temurin-25-jdk* /usr/lib/jvm/temurin-2[1-9]-jdk* \
    /usr/lib/jvm/java-2[1-9]-openjdk* /usr/lib/jvm/jdk-2[1-9]* /usr/lib/jvm/*; do
    [ -n "$candidate" ] && [ -x "$candidate/bin/java" ] && [ -x "$candidate/bin/javac" ] || continue
    major=$(wr_java_major "$candidate/bin/java")
    major=${major%%.*}
    if [ -n "$major" ] && [ "$major" -ge 21 ] 2>/dev/null; then
      export JAVA_HOME="$candidate"
      export JAVA="$candidate/bin/java"
      export WR_JAVA_MAJOR="$major"
      return 0
    fi
  done
  if command -v javac >/dev/null 2>&1; then
    candidate=$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")
    major=$(wr_java_major "$candidate/bin/java")
    major=${major%%.*}
    if [ -n "$major" ] && [ "$major" -ge 21 ] 2>/dev/null; then
      export JAVA_HOME="$candidate"
      export JAVA="$candidate/bin/java"
      export WR_JAVA_MAJOR="$major"
      return 0
    fi
  fi
  echo "wruntime needs a JDK >= 21 (found none in JAVA_HOME, /usr/lib/jvm or on PATH); install one, e.g. 'apt-get install openjdk-21-jdk', and set JAVA_HOME" >&2
  return 1
}

# wr_lock_free LOCK: true when nobody holds the lock directory LOCK (made atomically by mkdir,
# with the holder's pid in LOCK/pid): none, or its holder is gone (killed while recording or
# assembling); a lock of a holder gone is removed. A holder still running keeps it, however long.
wr_lock_free() {
  local lock=$1 holder
  [ -d "$lock" ] || return 0
  holder=$(cat "$lock/pid" 2>/dev/null || true)
  if [ -n "$holder" ]; then
    ! kill -0 "$holder" 2>/dev/null || return 1
  else
    # Made but its pid not written yet: give its maker a minute.
    [ -n "$(find "$lock" -maxdepth 0 -mmin +1)" ] || return 1
  fi
  rm -f "$lock/pid"
  rmdir "$lock" 2>/dev/null || true
}

# wr_older_than_build FILE JAR LIB_DIR: true when FILE exists and neither the jar nor a library
# (nor the library directory, whose time changes when a jar is added or removed) is newer.
wr_older_than_build() {
  [ -f "$1" ] && [ -z "$(find "$2" "$3" -newer "$1" -print -quit 2>/dev/null)" ]
}

# wr_cds_options MODULE_DIR JAR CLASSPATH JVM_OPTIONS: the class-data options for a server run
# from JAR: WR_CDS=on (the default) a dynamic CDS archive, WR_CDS=aot an AOT cache (JDK 25 and
# later; a dynamic archive before), WR_CDS=off none. One file per JDK (its directory name in the
# file name): it only maps into the JDK build that wrote it. Every file is made by one process
# only, the holder of the lock directory <file>.lock, so that servers starting or stopping at once
# never write the same file; a file older than the jar or a library is deleted and made anew. The
# JVM also checks it against the JDK, the class path and the options that shape it when it maps
# it, and runs without it when they differ: -Xlog:cds=off and -Xlog:aot=off keep that, the
# recording and the assembly quiet.
#
# Dynamic CDS archive, MODULE_DIR/target/<jar name>.<JDK>.jsa: the classes the JVM loaded at its
# last recorded run, parsed and verified, mapped at start; the first run records it at its stop
# (-XX:ArchiveClassesAtExit).
#
# AOT cache (JEP 483, 514, 515), MODULE_DIR/target/<jar name>.<JDK>.aot: the classes loaded and
# linked, and the method profiles of a training run. Its recording makes the training run's stop
# two to three times as long as the dynamic archive's dump (tens of seconds on a loaded machine),
# which is why it is not the default. It takes three launches after a build:
#   1. no cache and no recording: this run records what it loads and runs
#      (-XX:AOTMode=record), written to <cache>conf when it stops;
#   2. a recording and no cache: this run starts without a cache and, beside it in the
#      background at low priority, a JVM assembles the cache from the recording
#      (-XX:AOTMode=create, a few seconds of CPU) into a temporary file renamed when complete, and
#      deletes the recording; a recording it cannot use is deleted (recorded again next time);
#   3. every later run maps the cache.
wr_cds_options() {
  local dir=$1 jar=$2 classpath=$3 opts=$4 base lib lock
  [ "${WR_CDS:-on}" != off ] || return 0
  base="$dir/target/$(basename "$jar" .jar).$(basename "$JAVA_HOME")"
  lib="$dir/target/lib"
  if [ "${WR_CDS:-on}" != aot ] || [ "${WR_JAVA_MAJOR:-0}" -lt 25 ]; then
    lock="$base.jsa.lock"
    if wr_older_than_build "$base.jsa" "$jar" "$lib"; then
      echo "-XX:SharedArchiveFile=$base.jsa -Xlog:cds=off -Xlog:cds+dynamic=off"
      return 0
    fi
    wr_lock_free "$lock" || return 0
    rm -f "$base.jsa"
    if mkdir "$lock" 2>/dev/null; then
      # The launcher execs the JVM: this shell's pid is the recorder's.
      echo "$$" >"$lock/pid"
      echo "-XX:ArchiveClassesAtExit=$base.jsa -Xlog:cds=off -Xlog:cds+dynamic=off"
    fi
    return 0
  fi
  local cache="$base.aot" recording="$base.aotconf" quiet="-Xlog:aot=off -Xlog:cds=off"
  lock="$cache.lock"
  if wr_older_than_build "$cache" "$jar" "$lib"; then
    echo "-XX:AOTMode=auto -XX:AOTCache=$cache $quiet"
    return 0
  fi
  wr_lock_free "$lock" || return 0
  rm -f "$cache"
  wr_older_than_build "$recording" "$jar" "$lib" || rm -f "$recording"
  mkdir "$lock" 2>/dev/null || return 0
  if [ ! -f "$recording" ]; then
    echo "$$" >"$lock/pid"
    # -DisplayVMOutput: the JVM would print "AOTConfiguration recorded" on stdout at exit, into
    # the output of a command (wr-cli) that scripts read.
    echo "-XX:AOTMode=record -XX:AOTConfiguration=$recording $quiet -XX:+UnlockDiagnosticVMOptions -XX:-DisplayVMOutput"
    return 0
  fi
  # Its output goes to a file: a pipe the server's caller reads would stay open while it runs.
  # shellcheck disable=SC2086  # JVM options are lists of flags by design.
  (
    if nice -n 10 "$JAVA" $opts -XX:AOTMode=create -XX:AOTConfiguration="$recording" \
      -XX:AOTCache="$cache.$$.tmp" $quiet -cp "$classpath" >"$cache.log" 2>&1; then
      mv -f "$cache.$$.tmp" "$cache"
      rm -f "$recording"
    else
      rm -f "$cache.$$.tmp" "$recording"
    fi
    rm -f "$lock/pid"
    rmdir "$lock"
  ) </dev/null >/dev/null 2>&1 &
  echo "$!" >"$lock/pid"
}

# wr_launch MODULE_DIR MAIN_CLASS ARGS... : runs a server or tool from its build output, building it first if needed.
# JVM options, in this order (of an option given twice the last counts, so JAVA_OPTS="-Xmx512m"
# raises a default heap limit):
#   1. the launcher's defaults for its server, $wr_default_jvm_opts; WR_JAVA_OPTS replaces them
#      when set, even to "" (then the JVM's own defaults apply);
#   2. JAVA_OPTS;
#   3. the class-data options (wr_cds_options) when the module's jar is up to date with its
#      classes (a JVM cannot archive classes from a directory).
wr_launch() {
  local root module main classpath jvm_opts jar
  root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
  module=$1 main=$2
  shift 2
  wr_select_java || exit 1
  if [ ! -d "$root/$module/target/classes" ] || [ ! -d "$root/$module/target/lib" ]; then
    echo "wruntime: building $module (first run) ..." >&2
    (cd "$root" && ./mvnw -q -B -DskipTests -pl "$module" -am package) >&2 || {
      echo "wruntime: build of $module failed" >&2
      exit 1
    }
  fi
  jvm_opts="${WR_JAVA_OPTS-${wr_default_jvm_opts:-}} ${JAVA_OPTS:-}"
  classpath="$root/$module/target/classes:$root/$module/target/lib/*"
  jar=$(find "$root/$module/target" -maxdepth 1 -name '*.jar' ! -name '*-tests.jar' ! -name '*-sources.jar' -print -quit)
  if [ -n "$jar" ] && [ -z "$(find "$root/$module/target/classes" -newer "$jar" -print -quit)" ]; then
    classpath="$jar:$root/$module/target/lib/*"
    jvm_opts="$jvm_opts $(wr_cds_options "$root/$module" "$jar" "$classpath" "$jvm_opts")"
  fi
  # glibc gives each thread that allocates its own malloc arena, up to 8 per core, and keeps
  # what it freed: the JVM's compiler and Netty threads leave tens of MiB resident that way.
  export MALLOC_ARENA_MAX=${MALLOC_ARENA_MAX:-2}
  # shellcheck disable=SC2086  # JVM options are lists of flags by design.
  exec "$JAVA" $jvm_opts -cp "$classpath" "$main" "$@"
}
