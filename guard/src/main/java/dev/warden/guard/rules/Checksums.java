package dev.warden.guard.rules;

import java.math.BigInteger;

/** The check-digit and plausibility tests that turn "looks like a number" into "is a card / IBAN / SSN". */
final class Checksums {

    private static final BigInteger NINETY_SEVEN = BigInteger.valueOf(97);

    private Checksums() {}

    /** Luhn (mod 10) over a string of digits. */
    static boolean luhn(String digits) {
        int sum = 0;
        boolean twice = false;
        for (int i = digits.length() - 1; i >= 0; i--) {
            int d = digits.charAt(i) - '0';
            if (twice) {
                d *= 2;
                if (d > 9) {
                    d -= 9;
                }
            }
            sum += d;
            twice = !twice;
        }
        return sum % 10 == 0;
    }

    /**
     * Whether the number belongs to a card scheme's issuer range (Visa, Mastercard, Amex, Discover, JCB, Diners,
     * UnionPay, Maestro) with a length that scheme uses. Luhn alone passes one random number in ten.
     */
    static boolean cardIssuer(String digits) {
        int n = digits.length();
        int two = Integer.parseInt(digits.substring(0, 2));
        int four = Integer.parseInt(digits.substring(0, 4));
        if (digits.charAt(0) == '4') {
            return n == 13 || n == 16 || n == 19;
        }
        if ((two >= 51 && two <= 55) || (four >= 2221 && four <= 2720)) {
            return n == 16;
        }
        if (two == 34 || two == 37) {
            return n == 15;
        }
        if (four == 6011 || two == 65 || (four >= 6440 && four <= 6499)) {
            return n >= 16 && n <= 19;
        }
        if (two == 35) {
            return n >= 16 && n <= 19;
        }
        if (two == 36 || two == 38 || two == 39 || (four >= 3000 && four <= 3059)) {
            return n >= 14 && n <= 19;
        }
        if (two == 62) {
            return n >= 16 && n <= 19;
        }
        if (two == 50 || (two >= 56 && two <= 69)) {
            return n >= 12 && n <= 19;
        }
        return false;
    }

    /** ISO 13616: move the first four characters to the end, letters to 10..35, and the number mod 97 is 1. */
    static boolean iban(String compact) {
        if (compact.length() < 15 || compact.length() > 34) {
            return false;
        }
        String rearranged = compact.substring(4) + compact.substring(0, 4);
        StringBuilder digits = new StringBuilder(rearranged.length() * 2);
        for (char c : rearranged.toCharArray()) {
            if (c >= '0' && c <= '9') {
                digits.append(c);
            } else if (c >= 'A' && c <= 'Z') {
                digits.append(c - 'A' + 10);
            } else {
                return false;
            }
        }
        return new BigInteger(digits.toString()).mod(NINETY_SEVEN).intValue() == 1;
    }

    /** US SSN: area not 000, 666 or 900-999; group not 00; serial not 0000. */
    static boolean ssn(String area, String group, String serial) {
        int a = Integer.parseInt(area);
        return a != 0 && a != 666 && a < 900 && !group.equals("00") && !serial.equals("0000");
    }

    /** Shannon entropy in bits per character, to tell random keys from ordinary words. */
    static double entropy(String s) {
        int[] counts = new int[128];
        int other = 0;
        for (char c : s.toCharArray()) {
            if (c < 128) {
                counts[c]++;
            } else {
                other++;
            }
        }
        double h = 0;
        for (int count : counts) {
            if (count > 0) {
                double p = (double) count / s.length();
                h -= p * Math.log(p) / Math.log(2);
            }
        }
        if (other > 0) {
            double p = (double) other / s.length();
            h -= p * Math.log(p) / Math.log(2);
        }
        return h;
    }
}
