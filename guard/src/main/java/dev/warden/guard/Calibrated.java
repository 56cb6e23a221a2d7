package dev.warden.guard;

import java.util.Map;

/** A classifier that knows the operating point of each label it scores (label -> point). */
public interface Calibrated {

    Map<String, OperatingPoint> operatingPoints();
}
