# KLayout batch script (klayout -z -nc -rx -rd gds=IN.gds -rd png=OUT.png -r layout_png.py):
# renders a GDS to a PNG without a display (KLayout >= 0.28 LayoutView).
# Each GDS layer gets its own colour (KLayout's default palette); cell
# hierarchy is expanded.
import pya

view = pya.LayoutView()
view.load_layout(gds, True)  # noqa: F821 (gds, png come from -rd)
view.max_hier()
view.set_config("background-color", "#ffffff")
view.set_config("grid-visible", "false")
view.set_config("text-visible", "false")
view.zoom_fit()
view.save_image(png, 1200, 1200)  # noqa: F821
print(f"wrote {png}")  # noqa: F821
