package io.m3spark.jobs.spark;

import ai.djl.Device;
import java.util.List;
import java.util.Locale;
import org.apache.spark.TaskContext;
import org.apache.spark.resource.ResourceInformation;

/**
 * Which device a task runs its model on: the GPU Spark's scheduler assigned to the task (resource {@code gpu}) when there is
 * one; otherwise one of the devices named on the command line, spread over partitions; otherwise the CPU.
 */
public final class TaskDevices {

  private TaskDevices() {}

  public static Device forCurrentTask(List<String> requested) {
    TaskContext task = TaskContext.get();
    if (task != null) {
      ResourceInformation gpu = task.resourcesJMap().get("gpu");
      if (gpu != null && gpu.addresses().length > 0) {
        return Device.gpu(Integer.parseInt(gpu.addresses()[0].trim()));
      }
    }
    if (requested != null && !requested.isEmpty()) {
      int slot = task == null ? 0 : task.partitionId() % requested.size();
      return parse(requested.get(slot));
    }
    return Device.cpu();
  }

  /** {@code cpu}, {@code cuda}, {@code cuda:N}, {@code gpu:N} (PyTorch's and DJL's spellings). */
  public static Device parse(String name) {
    String n = name.trim().toLowerCase(Locale.ROOT);
    if (n.equals("cpu")) {
      return Device.cpu();
    }
    for (String prefix : List.of("cuda", "gpu")) {
      if (n.equals(prefix)) {
        return Device.gpu(0);
      }
      if (n.startsWith(prefix + ":") && n.substring(prefix.length() + 1).matches("\\d+")) {
        return Device.gpu(Integer.parseInt(n.substring(prefix.length() + 1)));
      }
    }
    throw new IllegalArgumentException("unknown device \"" + name + "\": use cpu, cuda:N or gpu:N");
  }
}
