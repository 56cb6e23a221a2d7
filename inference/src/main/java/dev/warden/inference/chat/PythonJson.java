package dev.warden.inference.chat;

import java.math.BigDecimal;
import java.util.Iterator;
import tools.jackson.databind.JsonNode;

/**
 * JSON text exactly as Python's {@code json.dumps(x, ensure_ascii=False)} writes it, which is what the HF chat
 * templates' {@code tojson} filter emits: {@code ", "} and {@code ": "} separators, or with an indent a newline
 * per item and {@code ","} at line ends; non-ASCII kept as is; floats in Python's repr. Prompt bytes the model was
 * trained on depend on this spacing, so Jackson's compact or pretty output would not do.
 */
public final class PythonJson {

    private PythonJson() {}

    /** {@code json.dumps(node, ensure_ascii=False)}. */
    public static String dumps(JsonNode node) {
        StringBuilder out = new StringBuilder();
        write(node, -1, 0, out);
        return out.toString();
    }

    /** {@code json.dumps(node, ensure_ascii=False, indent=indent)}. */
    public static String dumps(JsonNode node, int indent) {
        StringBuilder out = new StringBuilder();
        write(node, indent, 0, out);
        return out.toString();
    }

    private static void write(JsonNode node, int indent, int depth, StringBuilder out) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            out.append("null");
        } else if (node.isBoolean()) {
            out.append(node.booleanValue() ? "true" : "false");
        } else if (node.isIntegralNumber()) {
            out.append(node.numberValue().toString());
        } else if (node.isNumber()) {
            out.append(pythonFloat(node.doubleValue()));
        } else if (node.isString()) {
            string(node.stringValue(), out);
        } else if (node.isArray()) {
            container(
                    node.values().iterator(),
                    '[',
                    ']',
                    indent,
                    depth,
                    out,
                    (item, o) -> write(item, indent, depth + 1, o));
        } else if (node.isObject()) {
            container(node.properties().iterator(), '{', '}', indent, depth, out, (entry, o) -> {
                string(entry.getKey(), o);
                o.append(": ");
                write(entry.getValue(), indent, depth + 1, o);
            });
        } else {
            string(node.asString(), out);
        }
    }

    private interface ItemWriter<T> {
        void write(T item, StringBuilder out);
    }

    private static <T> void container(
            Iterator<T> items, char open, char close, int indent, int depth, StringBuilder out, ItemWriter<T> writer) {
        out.append(open);
        if (!items.hasNext()) {
            out.append(close);
            return;
        }
        boolean first = true;
        while (items.hasNext()) {
            if (!first) {
                out.append(indent < 0 ? ", " : ",");
            }
            if (indent >= 0) {
                newline(indent, depth + 1, out);
            }
            writer.write(items.next(), out);
            first = false;
        }
        if (indent >= 0) {
            newline(indent, depth, out);
        }
        out.append(close);
    }

    private static void newline(int indent, int depth, StringBuilder out) {
        out.append('\n');
        out.append(" ".repeat(indent * depth));
    }

    /** A JSON string literal as Python escapes it with ensure_ascii=False. */
    public static void string(String s, StringBuilder out) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }

    /** Python's float repr: shortest digits, scientific below 1e-4 or from 1e16, always a fraction or exponent. */
    static String pythonFloat(double d) {
        if (Double.isNaN(d)) {
            return "NaN";
        }
        if (Double.isInfinite(d)) {
            return d > 0 ? "Infinity" : "-Infinity";
        }
        BigDecimal value = new BigDecimal(Double.toString(d)).stripTrailingZeros();
        String sign = value.signum() < 0 ? "-" : "";
        String digits = value.unscaledValue().abs().toString();
        int exponent = digits.length() - 1 - value.scale();
        if (value.signum() != 0 && (exponent < -4 || exponent >= 16)) {
            String mantissa = digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
            return sign + mantissa + "e" + (exponent < 0 ? "-" : "+") + String.format("%02d", Math.abs(exponent));
        }
        String plain = value.abs().toPlainString();
        return sign + (plain.contains(".") ? plain : plain + ".0");
    }
}
