package dev.warden.policy.tenant;

import java.nio.file.Path;

/**
 * A configuration file that cannot be used, with where the problem is: file, line (0 when unknown) and the field
 * path (e.g. {@code tenants[1].guard.output.S15}).
 */
public class InvalidConfigException extends RuntimeException {

    private final Path file;
    private final int line;
    private final String field;
    private final String problem;

    public InvalidConfigException(Path file, int line, String field, String problem) {
        this(file, line, field, problem, null);
    }

    public InvalidConfigException(Path file, int line, String field, String problem, Throwable cause) {
        super(describe(file, line, field, problem), cause);
        this.file = file;
        this.line = line;
        this.field = field;
        this.problem = problem;
    }

    private static String describe(Path file, int line, String field, String problem) {
        StringBuilder s = new StringBuilder().append(file);
        if (line > 0) {
            s.append(':').append(line);
        }
        s.append(": ");
        if (field != null && !field.isEmpty()) {
            s.append(field).append(": ");
        }
        return s.append(problem).toString();
    }

    public Path file() {
        return file;
    }

    public int line() {
        return line;
    }

    public String field() {
        return field;
    }

    public String problem() {
        return problem;
    }
}
