package dev.warden.guard.eval;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.StringReader;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CsvRowsTest {

    @Test
    void quotedFieldsMayHoldCommasQuotesAndLineBreaks() throws Exception {
        String csv = ",prompt,label\r\n0,\"Hello, \"\"DAN\"\".\nLine two\",1\n1,plain,0\n";
        List<Map<String, String>> rows = CsvRows.read(new StringReader(csv));
        assertThat(rows).hasSize(2);
        assertThat(rows.get(0).get("prompt")).isEqualTo("Hello, \"DAN\".\nLine two");
        assertThat(rows.get(0).get("_0")).isEqualTo("0");
        assertThat(rows.get(1).get("label")).isEqualTo("0");
    }

    @Test
    void labelRuleSkipsUnknownRows() {
        var positives = java.util.Set.of("1");
        List<String> fields = List.of("S", "H");
        assertThat(Evaluate.label(Map.of("S", "0", "H", "1"), fields, null, positives, null))
                .isTrue();
        assertThat(Evaluate.label(Map.of("S", "0", "H", "0"), fields, null, positives, null))
                .isFalse();
        assertThat(Evaluate.label(Map.of("S", "0"), fields, null, positives, null))
                .isNull();
        assertThat(Evaluate.label(Map.of(), fields, "neg", positives, null)).isFalse();
    }
}
