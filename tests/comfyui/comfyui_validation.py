"""ComfyUI's own prompt validation of one node, in-process: what /prompt would answer for it."""
import asyncio


def validation_errors(node_id: str, inputs: dict) -> list[dict]:
    """The errors ComfyUI's execution.validate_inputs reports for a one-node prompt ([] when it is valid)."""
    import execution
    valid, errors, _ = asyncio.run(execution.validate_inputs("test", {"1": {"class_type": node_id, "inputs": inputs}},
                                                              "1", {}))
    assert valid == (not errors)
    return errors
