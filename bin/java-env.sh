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

# wr_launch MODULE_DIR MAIN_CLASS ARGS... : runs a server or tool from its build output, building it first if needed.
wr_launch() {
  local root module main
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
  # shellcheck disable=SC2086  # JAVA_OPTS is a list of JVM flags by design.
  exec "$JAVA" ${JAVA_OPTS:-} -cp "$root/$module/target/classes:$root/$module/target/lib/*" "$main" "$@"
}
