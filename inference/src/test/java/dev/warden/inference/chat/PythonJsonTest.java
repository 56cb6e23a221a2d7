package dev.warden.inference.chat;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

class PythonJsonTest {

    private final JsonMapper json = JsonMapper.builder().build();

    @Test
    void writesLikePythonJsonDumps() {
        var node = json.readTree("{\"a\":[1,2.5,true,null],\"b\":{},\"c\":[],\"é\":\"x\\\"y\\n\\u0001\"}");

        assertThat(PythonJson.dumps(node))
                .isEqualTo("{\"a\": [1, 2.5, true, null], \"b\": {}, \"c\": [], " + "\"é\": \"x\\\"y\\n\\u0001\"}");
        assertThat(PythonJson.dumps(node, 2))
                .isEqualTo("{\n  \"a\": [\n    1,\n    2.5,\n    true,\n    null\n  ],\n"
                        + "  \"b\": {},\n  \"c\": [],\n  \"é\": \"x\\\"y\\n\\u0001\"\n}");
    }

    @Test
    void writesFloatsAsPythonRepr() {
        assertThat(PythonJson.pythonFloat(1.0)).isEqualTo("1.0");
        assertThat(PythonJson.pythonFloat(100000.0)).isEqualTo("100000.0");
        assertThat(PythonJson.pythonFloat(1e16)).isEqualTo("1e+16");
        assertThat(PythonJson.pythonFloat(0.0001)).isEqualTo("0.0001");
        assertThat(PythonJson.pythonFloat(1.5e-5)).isEqualTo("1.5e-05");
        assertThat(PythonJson.pythonFloat(-2.25)).isEqualTo("-2.25");
        assertThat(PythonJson.pythonFloat(0.0)).isEqualTo("0.0");
    }
}
