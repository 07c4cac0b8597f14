import { testCatalogTemplate } from "./template";

testCatalogTemplate("function-service");
