"""Airflow DAG: the m3spark recipe as one Spark job per task.

prepare (import-squad, split, make-eval-set) -> mine hard negatives -> evaluate the base model -> fine-tune (a barrier
stage, one worker per GPU; a retried task resumes from its newest checkpoint) -> evaluate the fine-tuned model.
Every task writes under a run-scoped folder (``{{ run_id }}``), and every m3spark output is written to a temporary
sibling and renamed, so a retried task never sees a half-written input. Spark and GPU settings live in ``conf`` (the
same keys as conf/spark-gpu-cluster.conf); the master, deploy mode and queue come from the Spark connection.

Airflow Variables used:
  m3spark_jar      the application jar, e.g. hdfs:///apps/m3spark/m3spark-jobs-0.1.0-app.jar (a versioned path)
  m3spark_data     the SQuAD-format QA file (KorQuAD, SQuAD, KLUE-MRC)
  m3spark_model    the model: hdfs:///models/bge-m3, or a Hub id such as BAAI/bge-m3
  m3spark_runs     where runs go: a folder the driver can write, local or NFS (e.g. /shared/runs/m3spark). The prepare
                   commands and evaluate's reports run on the driver and take local paths today, so use client deploy
                   mode; mine and embed read and write any Hadoop path. train needs it on storage every executor sees.
The GPU tasks ship getGpusResources.sh and ds_stage0.json (conf/deepspeed/) with ``--files``: keep both next to the DAG.
"""
from datetime import datetime

from airflow import DAG
from airflow.models import Variable
from airflow.providers.apache.spark.operators.spark_submit import SparkSubmitOperator

GPU_CONF = {
    "spark.executor.resource.gpu.amount": "1",
    "spark.task.resource.gpu.amount": "1",
    "spark.executor.resource.gpu.discoveryScript": "./getGpusResources.sh",
    "spark.dynamicAllocation.enabled": "false",
    "spark.executorEnv.DJL_OFFLINE": "true",
    "spark.executorEnv.OPT_OUT_TRACKING": "true",
    "spark.executorEnv.PYTORCH_FLAVOR": "cu128",
    "spark.driver.extraJavaOptions": "-Dai.djl.offline=true",
    "spark.executor.extraJavaOptions": "-Dai.djl.offline=true",
}
RUN = "{{ var.value.m3spark_runs }}/{{ run_id | replace(':', '_') }}"


def m3spark(task_id, command, gpu=False):
    """One m3spark command as a spark-submit of the application jar (io.m3spark.cli.Cli)."""
    return SparkSubmitOperator(
        task_id=task_id,
        application="{{ var.value.m3spark_jar }}",
        java_class="io.m3spark.cli.Cli",
        application_args=command,
        conf=GPU_CONF if gpu else {"spark.driver.extraJavaOptions": "-Dai.djl.offline=true"},
        files="getGpusResources.sh,ds_stage0.json" if gpu else None,
        env_vars={"DJL_OFFLINE": "true", "OPT_OUT_TRACKING": "true"},
        name=f"m3spark-{task_id}",
        conn_id="spark_default",
        retries=2,
    )


with DAG(
    dag_id="m3spark_mine_train_evaluate",
    start_date=datetime(2026, 1, 1),
    schedule=None,
    catchup=False,
    tags=["m3spark", "bge-m3"],
) as dag:
    import_squad = m3spark("import_squad", [
        "prepare", "import-squad", "--input", "{{ var.value.m3spark_data }}", "--output", f"{RUN}/prepared/all.jsonl"])
    split = m3spark("split", [
        "prepare", "split", "--input", f"{RUN}/prepared/all.jsonl", "--output_dir", f"{RUN}/prepared",
        "--test_ratio", "0.2", "--seed", "42", "--group_by", "positive"])
    eval_set = m3spark("make_eval_set", [
        "prepare", "make-eval-set", "--input", f"{RUN}/prepared/test.jsonl", "--output_dir", f"{RUN}/eval-set"])
    mine = m3spark("mine", [
        "mine", "--model_name_or_path", "{{ var.value.m3spark_model }}",
        "--input_file", f"{RUN}/prepared/train.jsonl", "--output_file", f"{RUN}/mined/train.jsonl",
        "--range_for_sampling", "10-210", "--negative_number", "15", "--seed", "42", "--overwrite"], gpu=True)
    evaluate = m3spark("evaluate_base", [
        "evaluate", "--eval_name", "custom", "--dataset_dir", f"{RUN}/eval-set", "--splits", "test",
        "--embedder_name_or_path", "{{ var.value.m3spark_model }}", "--output_dir", f"{RUN}/eval/search_results",
        "--eval_output_path", f"{RUN}/eval/eval_results.md", "--eval_metrics", "ndcg_at_10", "recall_at_100",
        "--retrieval_mode", "dense", "sparse", "all", "--overwrite"], gpu=True)

    # a retried task continues from the newest checkpoint (--resume_from_checkpoint auto) instead of starting over
    train = m3spark("train", [
        "train", "--model_name_or_path", "{{ var.value.m3spark_model }}", "--train_data", f"{RUN}/mined/train.jsonl",
        "--output_dir", f"{RUN}/model", "--resume_from_checkpoint", "auto", "--train_group_size", "8",
        "--query_max_len", "64", "--passage_max_len", "512", "--per_device_train_batch_size", "4",
        "--learning_rate", "1e-5", "--warmup_ratio", "0.1", "--num_train_epochs", "2", "--unified_finetuning",
        "--use_self_distill", "--negatives_cross_device", "--gradient_checkpointing", "--fp16",
        "--deepspeed", "ds_stage0.json", "--save_steps", "500", "--save_total_limit", "2", "--logging_steps", "50"],
        gpu=True)
    evaluate_finetuned = m3spark("evaluate_finetuned", [
        "evaluate", "--eval_name", "custom", "--dataset_dir", f"{RUN}/eval-set", "--splits", "test",
        "--embedder_name_or_path", f"{RUN}/model", "--output_dir", f"{RUN}/eval-finetuned/search_results",
        "--eval_output_path", f"{RUN}/eval-finetuned/eval_results.md", "--eval_metrics", "ndcg_at_10",
        "recall_at_100", "--retrieval_mode", "dense", "sparse", "all", "--overwrite"], gpu=True)

    import_squad >> split >> [eval_set, mine]
    eval_set >> evaluate
    [mine, evaluate] >> train >> evaluate_finetuned
