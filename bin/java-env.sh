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
      return 0
    fi
  fi
  echo "wruntime needs a JDK >= 21 (found none in JAVA_HOME, /usr/lib/jvm or on PATH); install one, e.g. 'apt-get install openjdk-21-jdk', and set JAVA_HOME" >&2
  return 1
}

# wr_cds_options MODULE_DIR JAR: the class-data-sharing options for a server run from JAR.
# A dynamic CDS archive (MODULE_DIR/target/<jar name>.<JDK directory name>.jsa) holds the classes
# of the application and its libraries as the JVM loaded them last time, parsed and verified:
# mapped at start instead of read from the jars. No archive yet (or one older than a jar it was made from): this run
# records one at its exit (-XX:ArchiveClassesAtExit), and only this run, whoever holds the lock
# directory <archive>.lock (made atomically by mkdir), so that two servers stopping at once never
# write the same file. The JVM checks an archive against the JDK and the class path when it maps
# it and runs without it when they differ; -Xlog:cds=off keeps that and the dump quiet.
# WR_CDS=off turns it off.
wr_cds_options() {
  local dir=$1 jar=$2 archive lock
  [ "${WR_CDS:-on}" != off ] || return 0
  # One archive per JDK: an archive only maps into the JDK build that wrote it.
  archive="$dir/target/$(basename "$jar" .jar).$(basename "$JAVA_HOME").jsa"
  lock="$archive.lock"
  if [ -f "$archive" ] && [ -z "$(find "$jar" "$dir/target/lib" -newer "$archive" -print -quit 2>/dev/null)" ]; then
    echo "-XX:SharedArchiveFile=$archive -Xlog:cds=off -Xlog:cds+dynamic=off"
    return 0
  fi
  # A stale archive, or a recording whose process is gone without writing one (killed): record
  # anew. A recorder still running keeps its lock, however long it runs.
  local recorder
  recorder=$(cat "$lock/pid" 2>/dev/null || true)
  if [ -f "$archive" ] || { [ -d "$lock" ] && if [ -n "$recorder" ]; then ! kill -0 "$recorder" 2>/dev/null; else [ -n "$(find "$lock" -maxdepth 0 -mmin +1)" ]; fi; }; then
    rm -f "$archive" "$lock/pid"
    rmdir "$lock" 2>/dev/null || true
  fi
  if mkdir "$lock" 2>/dev/null; then
    # The launcher execs the JVM: this shell's pid is the recorder's.
    echo "$$" >"$lock/pid"
    echo "-XX:ArchiveClassesAtExit=$archive -Xlog:cds=off -Xlog:cds+dynamic=off"
  fi
}

# wr_launch MODULE_DIR MAIN_CLASS ARGS... : runs a server or tool from its build output, building it first if needed.
# JVM options, in this order (of an option given twice the last counts, so JAVA_OPTS="-Xmx512m"
# raises a default heap limit):
#   1. the launcher's defaults for its server, $wr_default_jvm_opts; WR_JAVA_OPTS replaces them
#      when set, even to "" (then the JVM's own defaults apply);
#   2. the class-data-sharing archive (wr_cds_options) when the module's jar is up to date with
#      its classes (a JVM cannot archive classes from a directory);
#   3. JAVA_OPTS.
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
  jvm_opts=${WR_JAVA_OPTS-${wr_default_jvm_opts:-}}
  classpath="$root/$module/target/classes:$root/$module/target/lib/*"
  jar=$(find "$root/$module/target" -maxdepth 1 -name '*.jar' ! -name '*-tests.jar' ! -name '*-sources.jar' -print -quit)
  if [ -n "$jar" ] && [ -z "$(find "$root/$module/target/classes" -newer "$jar" -print -quit)" ]; then
    classpath="$jar:$root/$module/target/lib/*"
    jvm_opts="$jvm_opts $(wr_cds_options "$root/$module" "$jar")"
  fi
  # glibc gives each thread that allocates its own malloc arena, up to 8 per core, and keeps
  # what it freed: the JVM's compiler and Netty threads leave tens of MiB resident that way.
  export MALLOC_ARENA_MAX=${MALLOC_ARENA_MAX:-2}
  # shellcheck disable=SC2086  # JVM options are lists of flags by design.
  exec "$JAVA" $jvm_opts ${JAVA_OPTS:-} -cp "$classpath" "$main" "$@"
}
