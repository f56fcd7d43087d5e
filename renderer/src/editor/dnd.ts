// The drag-and-drop contract between the palette and the canvas: the palette puts the node
// type under this MIME type; the canvas accepts only drags that carry it.
export const NODE_DRAG_TYPE = 'application/netwright-node';
