package io.wruntime.engine.host.db;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SqlParamsTest {
  @Test
  void numberedParametersBecomeMarkersInTheirOrder() {
    SqlParams p = SqlParams.of("SELECT $2::int4, $1, $2 WHERE a = $10");
    assertThat(p.sql()).isEqualTo("SELECT ?::int4, ?, ? WHERE a = ?");
    assertThat(p.positions()).containsExactly(2, 1, 2, 10);
    assertThat(p.highest()).isEqualTo(10);
    assertThat(p.firstUnused(10)).isEqualTo(3);
  }

  @Test
  void literalsIdentifiersCommentsAndDollarQuotesAreLeftAlone() {
    SqlParams p =
        SqlParams.of(
            "SELECT '$1 ?', E'it\\'s $1', \"col$1\", a$1, $$ $1 $$, $tag$ $2 $tag$ -- $3\n"
                + "/* $4 /* $5 */ */ $1");
    assertThat(p.positions()).containsExactly(1);
    assertThat(p.sql())
        .isEqualTo(
            "SELECT '$1 ?', E'it\\'s $1', \"col$1\", a$1, $$ $1 $$, $tag$ $2 $tag$ -- $3\n"
                + "/* $4 /* $5 */ */ ?");
  }

  @Test
  void questionMarksAreEscapedForTheDriver() {
    assertThat(SqlParams.of("SELECT doc ? 'k' FROM t WHERE id = $1").sql())
        .isEqualTo("SELECT doc ?? 'k' FROM t WHERE id = ?");
  }
}
