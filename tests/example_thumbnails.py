"""Draw each example workflow's thumbnail: a diagram of its graph (nodes where the editor puts them, titled, and
their links), saved next to it as example_workflows/<name>.jpg, where ComfyUI's template browser looks for a
custom node's thumbnail (/api/workflow_templates/<pack folder>/<name>.jpg).

    python tests/example_thumbnails.py          # redraw every example's thumbnail
"""
import json
import sys
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

EXAMPLES = Path(__file__).resolve().parents[1] / "example_workflows"
SIZE = (640, 400)
MARGIN = 24
LINK_COLOURS = {"MODEL": "#b39ddb", "CLIP": "#ffd54f", "VAE": "#ef9a9a", "CONDITIONING": "#ffab91",
                "LATENT": "#f48fb1", "IMAGE": "#80cbc4", "STORYCORE_WORKFLOW": "#90caf9"}


def _font(size: int):
    for name in ("DejaVuSans-Bold.ttf", "DejaVuSans.ttf", "Arial.ttf"):
        try:
            return ImageFont.truetype(name, size)
        except OSError:
            continue
    return ImageFont.load_default()


def draw(workflow: dict, title: str) -> Image.Image:
    nodes = {n["id"]: n for n in workflow["nodes"]}
    left = min(n["pos"][0] for n in nodes.values())
    top = min(n["pos"][1] for n in nodes.values())
    right = max(n["pos"][0] + n["size"][0] for n in nodes.values())
    bottom = max(n["pos"][1] + n["size"][1] for n in nodes.values())
    header = 40
    scale = min((SIZE[0] - 2 * MARGIN) / (right - left), (SIZE[1] - header - 2 * MARGIN) / (bottom - top))

    def box(node):
        x0 = MARGIN + (node["pos"][0] - left) * scale
        y0 = header + MARGIN + (node["pos"][1] - top) * scale
        return x0, y0, x0 + node["size"][0] * scale, y0 + max(node["size"][1] * scale, 14)

    image = Image.new("RGB", SIZE, "#202225")
    pen = ImageDraw.Draw(image)
    pen.text((MARGIN, 12), title, fill="#e8eaed", font=_font(18))
    for _, source, _, target, _, kind in workflow["links"]:
        a, b = box(nodes[source]), box(nodes[target])
        pen.line([(a[2], a[1] + 8), (b[0], b[1] + 8)], fill=LINK_COLOURS.get(kind, "#9e9e9e"), width=2)
    small = _font(9)
    for node in nodes.values():
        x0, y0, x1, y1 = box(node)
        storycore = node["type"].startswith("StoryCore")
        note = "Note" in node["type"]
        fill = "#5d4037" if note else ("#1e3a5f" if storycore else "#353535")
        pen.rounded_rectangle((x0, y0, x1, y1), radius=4, fill=fill, outline="#8ab4f8" if storycore else "#5f6368")
        label = node.get("title") or node["type"].replace("StoryCore", "StoryCore ")
        pen.text((x0 + 4, y0 + 3), label[: max(4, int((x1 - x0) / 5.2))], fill="#e8eaed", font=small)
    return image


def main() -> None:
    for path in sorted(EXAMPLES.glob("*.json")):
        workflow = json.loads(path.read_text())
        title = workflow.get("extra", {}).get("storycore_title") or path.stem.replace("_", " ")
        target = path.with_suffix(".jpg")
        draw(workflow, title).save(target, "JPEG", quality=85, optimize=True)
        print(f"{target.name}: {target.stat().st_size} bytes")


if __name__ == "__main__":
    sys.exit(main())
