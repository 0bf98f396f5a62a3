"""A subgraph's plan as one generated Python function (built at prepare, run by invoke).

Running the plan as a loop over step records costs the Python interpreter about 0.2 us
per operator (the loop, unpacking the record, gathering the arguments, storing the
results); models of many small operators (recurrent cells, WHILE bodies run once per
time step) spend a large share of invoke there. ``compile_plan`` writes the plan out as
straight-line code instead, with the tensor indices as literals and each kernel's
``run`` bound as a closure variable::

    def execute(v):
        step = 0
        try:
            if runtime.cancelled:
                raise Cancelled("Client requested cancel during Invoke()")
            v[12] = run_0(v[3], v[7])
            step = 1
            ...
        except Exception as error:
            fail(step, error)

``v`` is the subgraph's tensor list (index -1 reads its spare ``None`` slot for an absent
optional input). A step with several outputs unpacks the kernel's sequence into them; a
step without outputs ignores what the kernel returns. ``fail(step, error)`` reports the
error of step ``step`` (the runtime adds LiteRT's node line). The cancel flag is checked
before every operator, as Java's ``setCancelled`` expects.
"""


class Cancelled(RuntimeError):
    """Raised between two steps of invoke() once the runtime's ``cancelled`` flag is set."""


def compile_plan(steps, runtime, fail):
    """``execute(values)`` running ``steps`` (a list of ``(run, op)``) in order."""
    params = ["runtime", "fail", "Cancelled"] + [f"run_{k}" for k in range(len(steps))]
    body = ["        step = 0"]
    for k, (_run, op) in enumerate(steps):
        args = ", ".join(f"v[{i}]" for i in op.inputs)
        outs = ", ".join(f"v[{o}]" for o in op.outputs)
        call = f"{outs} = run_{k}({args})" if op.outputs else f"run_{k}({args})"
        if k:
            body.append(f"        step = {k}")
        body += ["        if runtime.cancelled:",
                 "            raise Cancelled('Client requested cancel during Invoke()')",
                 f"        {call}"]
    source = "\n".join([f"def make({', '.join(params)}):",
                        "    def execute(v):",
                        "      try:"] + body + [
                        "      except Exception as error:",
                        "        fail(step, error)",
                        "    return execute"])
    namespace = {}
    exec(compile(source, "<numlite plan>", "exec"), namespace)     # noqa: S102
    return namespace["make"](runtime, fail, Cancelled, *[run for run, _ in steps])
