package io.m3spark.jobs.spark;

import ai.djl.Device;
import ai.djl.engine.Engine;
import io.m3spark.model.M3Model;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.SparkContext;
import org.apache.spark.SparkEnv;
import org.apache.spark.TaskContext;
import org.apache.spark.resource.ResourceInformation;

/**
 * Which device a task runs its model on, in this order: the GPU Spark's scheduler assigned to the task (resource
 * {@code gpu}, see {@link DeviceStages}); one of the devices named on the command line, spread over partitions; in local
 * mode, every CUDA GPU libtorch sees, spread over partitions (as FlagEmbedding uses every visible GPU when none is
 * named); otherwise the CPU. An executor never takes a GPU the scheduler did not give it: co-located executors would
 * share it.
 *
 * <p>On a cluster it also sizes libtorch's thread pool to the task's CPUs ({@code TaskContext.cpus()}) once per JVM:
 * libtorch's default is every core of the host, which oversubscribes a host shared by several executors.
 */
public final class TaskDevices {
  private static final AtomicInteger THREADS_SET = new AtomicInteger();

  private TaskDevices() {}

  public static Device forCurrentTask(List<String> requested) {
    TaskContext task = TaskContext.get();
    boolean local = isLocalMode();
    if (task != null && !local) {
      sizeThreadPool(task.cpus());
    }
    if (task != null) {
      ResourceInformation gpu = task.resourcesJMap().get("gpu");
      if (gpu != null && gpu.addresses().length > 0) {
        return Device.gpu(cudaOrdinal(gpu.addresses()[0], System.getenv("CUDA_VISIBLE_DEVICES")));
      }
    }
    int slot = task == null ? 0 : task.partitionId();
    if (requested != null && !requested.isEmpty()) {
      return parse(requested.get(slot % requested.size()));
    }
    if (local) {
      int gpus = localGpuCount();
      if (gpus > 0) {
        return Device.gpu(slot % gpus);
      }
    }
    return Device.cpu();
  }

  /**
   * One line for the start of a job's log: where its device work will run. In local mode it asks libtorch for GPUs;
   * on a cluster it reads the settings only (the driver of a cluster job need not have libtorch).
   */
  public static String describe(SparkContext sc, List<String> requested) {
    if (requested != null && !requested.isEmpty()) {
      return "devices: " + String.join(", ", requested) + " (--devices)";
    }
    if (sc.isLocal()) {
      int gpus = localGpuCount();
      return gpus == 0 ? "devices: cpu (libtorch sees no CUDA GPU)"
          : String.format(Locale.ROOT, "devices: cuda:0%s (every CUDA GPU libtorch sees, one per running "
              + "partition; --devices chooses)", gpus > 1 ? " to cuda:" + (gpus - 1) : "");
    }
    DeviceStages.TaskShape shape = DeviceStages.deviceTask(sc.getConf());
    return shape.gpus() > 0
        ? "devices: the GPU Spark assigns to each device task (" + shape + " per task)"
        : "devices: the executors' CPUs (no spark.executor.resource.gpu.amount; " + shape + " per device task)";
  }

  /** CUDA GPUs this JVM's libtorch sees (0 for a CPU build), asked of the engine once. */
  public static int localGpuCount() {
    return LocalGpus.COUNT;
  }

  /** Holder: asking loads libtorch, which only code that runs models should do. */
  private static final class LocalGpus {
    static final int COUNT = Engine.getEngine("PyTorch").getGpuCount();
  }

  /**
   * The CUDA device number of the GPU Spark calls {@code address}: its position in {@code CUDA_VISIBLE_DEVICES} when
   * that is set (CUDA numbers only the visible GPUs, from 0), else the address itself.
   *
   * @throws IllegalStateException when {@code CUDA_VISIBLE_DEVICES} hides the assigned GPU
   */
  static int cudaOrdinal(String address, String visibleDevices) {
    String a = address.trim();
    if (visibleDevices == null || visibleDevices.isBlank()) {
      return Integer.parseInt(a);
    }
    String[] visible = visibleDevices.split(",");
    for (int i = 0; i < visible.length; i++) {
      if (visible[i].trim().equals(a)) {
        return i;
      }
    }
    throw new IllegalStateException("Spark assigned GPU " + a + " to this task, but CUDA_VISIBLE_DEVICES="
        + visibleDevices + " hides it from this executor: the GPU discovery script and the executor's environment "
        + "disagree (see submit/getGpusResources.sh)");
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

  private static boolean isLocalMode() {
    SparkEnv env = SparkEnv.get();
    String master = env == null ? "local" : env.conf().get("spark.master", "local");
    return master.equals("local") || master.startsWith("local[");
  }

  private static void sizeThreadPool(int cpus) {
    int threads = Math.max(1, cpus);
    if (THREADS_SET.getAndSet(threads) != threads) {
      M3Model.setNumThreads(threads);
    }
  }
}
