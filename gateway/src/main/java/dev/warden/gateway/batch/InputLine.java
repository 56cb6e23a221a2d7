package dev.warden.gateway.batch;

/**
 * One request of a batch input file: {@code {"custom_id", "method": "POST", "url", "body"}}.
 *
 * @param number the line's number in the file, from 1
 * @param body   the request body as the endpoint would receive it
 */
public record InputLine(int number, String customId, String url, String model, byte[] body) {}
