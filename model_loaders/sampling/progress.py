"""One ComfyUI progress bar across every stage of an attempt (all sampling stages on one schedule, then
decode), with ComfyUI's latent previews and an interrupt check between stages."""
from __future__ import annotations

import comfy.model_management
import comfy.utils
import latent_preview


class StageProgress:
    def __init__(self, total: int, node_id=None):
        self.total = max(1, int(total))
        self.bar = comfy.utils.ProgressBar(self.total, node_id=node_id)
        self.position = 0

    @staticmethod
    def check_interrupt() -> None:
        """Raises ComfyUI's InterruptProcessingException when the user cancelled (never swallowed here)."""
        comfy.model_management.throw_exception_if_processing_interrupted()

    def advance_to(self, position: int) -> None:
        self.position = min(self.total, max(self.position, position))
        self.bar.update_absolute(self.position, self.total)

    def sampler_callback(self, model, offset: int):
        """A comfy.sample callback that moves this bar from `offset` with ComfyUI's previewer for the model."""
        previewer = latent_preview.get_previewer(model.load_device, model.model.latent_format)

        def callback(step, x0, x, total_steps):
            preview = None
            if previewer is not None:
                if getattr(x0, "is_nested", False):
                    x0 = x0.tensors[0]
                preview = previewer.decode_latent_to_preview_image("JPEG", x0)
            self.position = min(self.total, offset + step + 1)
            self.bar.update_absolute(self.position, self.total, preview)
        return callback
