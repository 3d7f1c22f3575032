"""Segmentation masks: the mask over and beside the image, opacity, legend, class under the cursor."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor, QImage, QResizeEvent
from PySide6.QtWidgets import (
    QHeaderView,
    QLabel,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from inspector_app.results.export import save_png
from inspector_app.results.masks import MaskResult, PreparedItem
from inspector_app.ui.background import run_in_background
from inspector_app.ui.results_common import (
    PictureView,
    export_button,
    link_pictures,
    qimage_from_array,
    run_export,
    safe_name,
)
from inspector_app.ui.results_table import (
    batch_item_spin,
    fraction_slider,
    info_label,
    labels_button,
    picture_header,
)

LEGEND_HEADERS = ("", "Class id", "Name", "Share")
SIDE_MAX_WIDTH = 320  # the legend's column: the rest of the width goes to the pictures


class MaskView(QWidget):
    """Colourised class map over the input image (opacity slider) and on its own, with a legend."""

    class_hovered = Signal(int, str, int, int)  # class id, name, x, y (image pixels)
    labels_requested = Signal()

    def __init__(self, name: str, result: MaskResult, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("maskView")
        self.name, self.result = name, result
        self.has_image = result.image(0) is not None
        self._base_shown: object = None
        self.pending: int | None = None  # the batch item being coloured in a worker thread
        self.overlay_view = PictureView()
        self.overlay_view.setObjectName("overlayGraphics")
        self.mask_view = PictureView()
        self.mask_view.setObjectName("maskGraphics")
        self.opacity = fraction_slider("opacitySlider")
        self.opacity.setEnabled(self.has_image)
        self.item_spin = batch_item_spin(result.num_items)
        self.hover_label = QLabel("Point at the mask to see its class")
        self.hover_label.setObjectName("hoverLabel")
        self.legend_table = QTableWidget(0, len(LEGEND_HEADERS))
        self.legend_table.setObjectName("legendTable")
        self.legend_table.setHorizontalHeaderLabels(LEGEND_HEADERS)
        self.legend_table.verticalHeader().hide()
        self.legend_table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        # Sized once per fill: ResizeToContents would re-measure on every cell set.
        self.legend_table.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.info = info_label("maskInfo")
        self._build_layout()
        self._connect_callbacks()
        self.refresh()

    def _build_layout(self) -> None:
        overlay_button = export_button(
            "Overlay PNG…", "exportOverlayPngButton", self._export_overlay
        )
        overlay_button.setEnabled(self.has_image)
        buttons = [
            export_button("Fit", "fitButton", self.fit_pictures),
            labels_button(self.labels_requested.emit),
            export_button("Mask PNG…", "exportMaskPngButton", self._export_mask),
            overlay_button,
        ]
        layout = picture_header(self, self.item_spin, "Opacity", self.opacity, buttons, self.info)
        # The two pictures side by side, or one above the other when that makes them larger.
        self.pictures = QSplitter(Qt.Orientation.Horizontal)
        self.pictures.setObjectName("maskPictures")
        if self.has_image:
            self.pictures.addWidget(self.overlay_view)
        self.pictures.addWidget(self.mask_view)
        side = QWidget()
        side.setMaximumWidth(SIDE_MAX_WIDTH)
        side_layout = QVBoxLayout(side)
        side_layout.setContentsMargins(0, 0, 0, 0)
        side_layout.addWidget(self.legend_table, 1)
        side_layout.addWidget(self.hover_label)
        pictures = QSplitter(Qt.Orientation.Horizontal)
        pictures.addWidget(self.pictures)
        pictures.addWidget(side)
        pictures.setStretchFactor(0, 4)
        pictures.setStretchFactor(1, 1)
        layout.addWidget(pictures, 1)

    def _connect_callbacks(self) -> None:
        self.item_spin.valueChanged.connect(self.refresh)
        self.opacity.valueChanged.connect(self._draw_overlay)
        self.overlay_view.hovered.connect(self.hover_at)
        self.mask_view.hovered.connect(self.hover_at)
        link_pictures(self.overlay_view, self.mask_view)  # zoom and pan them together

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        QTimer.singleShot(0, self._arrange_pictures)  # once the splitters have their sizes

    def _arrange_pictures(self) -> None:
        """Side by side or stacked, whichever gives each picture the larger square."""
        if not self.has_image:
            return
        w, h = self.pictures.width(), self.pictures.height()
        side_by_side, stacked = min(w / 2, h), min(w, h / 2)
        wanted = (
            Qt.Orientation.Vertical if stacked > side_by_side * 1.1 else Qt.Orientation.Horizontal
        )
        if self.pictures.orientation() != wanted:
            self.pictures.setOrientation(wanted)
            self.pictures.setSizes([1, 1])

    def fit_pictures(self) -> None:
        """Fit both pictures to their space again (after zooming)."""
        self.mask_view.fit_again()
        self.overlay_view.fit_again()

    @property
    def item(self) -> int:
        return self.item_spin.value()

    def set_item(self, item: int) -> None:
        self.item_spin.setValue(item)

    def set_opacity(self, opacity: float) -> None:
        """Opacity 0..1 of the mask over the image."""
        self.opacity.setValue(round(opacity * 100))

    def refresh(self) -> None:
        """Redraw pictures and legend for the current batch item (a large map is coloured in a
        worker thread first: the input image shows at once, the mask when it is ready)."""
        item = self.item
        if not self.result.is_ready(item) and self.result.is_large(item):
            self.pending = item
            self.info.setText("Colouring the mask…")
            run_in_background(
                lambda: self.result.prepare(item), self._prepared, self._failed, receiver=self
            )
            return
        self.pending = None
        if self.has_image:
            base = self.result.image_rgb32(item)
            if base is not None and base is not self._base_shown:  # drawn once for every item
                self.overlay_view.set_array(base)
                self._base_shown = base
        pixels = self.result.colourised_rgb32(item)
        colours = qimage_from_array(pixels, copy=False)
        self.mask_view.set_image(colours, pixels)  # one image for both pictures
        if self.has_image:
            self.overlay_view.set_top_layer(colours, self.opacity.value() / 100, pixels)
        self._fill_legend(item)
        h, w = self.result.class_map(item).shape
        shown = self.result.display_map(item).shape
        resized = (
            f", resized to the image {shown[1]}×{shown[0]} (nearest neighbour)"
            if shown != (h, w)
            else ""
        )
        if self.result.from_scores:
            classes = f"argmax over {self.result.num_classes} classes"
        else:
            classes = f"class ids up to {self.result.num_classes - 1}"
        self.info.setText(f"Mask {w}×{h}{resized}, {classes}. Labels: {self.result.labels.source}.")

    def _prepared(self, prepared: PreparedItem) -> None:
        self.result.store(prepared)
        if prepared.item == self.item and self.pending == prepared.item:
            self.refresh()

    def _failed(self, err: BaseException) -> None:
        self.pending = None
        self.info.setText(f"Cannot colour the mask: {err}")

    def _draw_overlay(self) -> None:
        if self.has_image:
            self.overlay_view.set_top_layer(None, self.opacity.value() / 100)

    def _fill_legend(self, item: int) -> None:
        rows = self.result.legend(item)
        table = self.legend_table
        table.setUpdatesEnabled(False)
        table.setRowCount(len(rows))
        for r, row in enumerate(rows):
            swatch = QTableWidgetItem()
            swatch.setBackground(QBrush(QColor(*row.colour)))
            cells = (swatch, QTableWidgetItem(str(row.class_id)), QTableWidgetItem(row.name),
                     QTableWidgetItem(f"{row.share:.2%}"))  # fmt: skip
            cells[3].setData(Qt.ItemDataRole.UserRole, row.share)
            cells[3].setToolTip(f"{row.pixels} pixels")
            for c, cell in enumerate(cells):
                table.setItem(r, c, cell)
        for c in (0, 1, 3):
            table.resizeColumnToContents(c)
        table.setUpdatesEnabled(True)

    def legend_rows(self) -> list[tuple[int, str, float]]:
        """(class id, name, share) as the legend shows them."""
        t = self.legend_table
        return [
            (
                int(t.item(r, 1).text()),
                t.item(r, 2).text(),
                float(t.item(r, 3).data(Qt.ItemDataRole.UserRole)),
            )
            for r in range(t.rowCount())
        ]

    def hover_at(self, x: int, y: int) -> None:
        """Show the class at picture pixel (x, y) and emit ``class_hovered``."""
        cid = self.result.class_at(self.item, x, y)
        if cid is None:
            self.hover_label.setText("Point at the mask to see its class")
            return
        name = self.result.labels.name(cid)
        self.hover_label.setText(f"({x}, {y}): class {cid} {name}")
        self.class_hovered.emit(cid, name, x, y)

    def overlay_image(self) -> QImage:
        """The overlay as drawn (image plus mask layer at the slider's opacity), 1:1."""
        return self.overlay_view.rendered()

    def mask_image(self) -> QImage:
        """The colourised mask as drawn, 1:1."""
        return self.mask_view.image()

    def _export_mask(self) -> None:
        run_export(self, "Export mask", "PNG image (*.png)", f"{safe_name(self.name)}_mask.png",
                   lambda p, **kw: save_png(p, self.result.colourised(self.item), **kw))  # fmt: skip

    def _export_overlay(self) -> None:
        opacity = self.opacity.value() / 100
        run_export(self, "Export overlay", "PNG image (*.png)", f"{safe_name(self.name)}_overlay.png",
                   lambda p, **kw: save_png(p, self.result.overlay(self.item, opacity), **kw))  # fmt: skip
